package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.JqNode;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.AvgPool2d;

/** Codec of {@link AvgPool2d} (type {@code djlquant.quantized.AvgPool2d}). */
public final class AvgPool2dCodec extends GlueCodec<AvgPool2d> {

    /** {@inheritDoc} */
    @Override
    public Class<AvgPool2d> blockClass() {
        return AvgPool2d.class;
    }

    @Override
    void putConfig(AvgPool2d block, JqNode node) {
        PoolCodecs.put(node, block.getGeometry());
        node.put("countIncludePad", block.isCountIncludePad());
    }

    @Override
    AvgPool2d create(JqNode node, QParams q) throws MalformedModelException {
        return new AvgPool2d(PoolCodecs.get(node), node.getBoolean("countIncludePad"), q);
    }
}
