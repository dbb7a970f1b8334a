package io.djlquant.quantized.codec;

import io.djlquant.format.JqNode;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.Flatten;

/** Codec of {@link Flatten} (type {@code djlquant.quantized.Flatten}). */
public final class FlattenCodec extends GlueCodec<Flatten> {

    /** {@inheritDoc} */
    @Override
    public Class<Flatten> blockClass() {
        return Flatten.class;
    }

    @Override
    Flatten create(JqNode node, QParams q) {
        return new Flatten(q);
    }
}
