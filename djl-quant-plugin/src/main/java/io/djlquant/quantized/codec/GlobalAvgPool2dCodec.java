package io.djlquant.quantized.codec;

import io.djlquant.format.JqNode;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.GlobalAvgPool2d;

/** Codec of {@link GlobalAvgPool2d} (type {@code djlquant.quantized.GlobalAvgPool2d}). */
public final class GlobalAvgPool2dCodec extends GlueCodec<GlobalAvgPool2d> {

    /** {@inheritDoc} */
    @Override
    public Class<GlobalAvgPool2d> blockClass() {
        return GlobalAvgPool2d.class;
    }

    @Override
    GlobalAvgPool2d create(JqNode node, QParams q) {
        return new GlobalAvgPool2d(q);
    }
}
