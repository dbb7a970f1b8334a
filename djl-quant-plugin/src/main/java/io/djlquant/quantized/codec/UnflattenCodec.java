package io.djlquant.quantized.codec;

import io.djlquant.format.JqNode;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.Unflatten;

/** Codec of {@link Unflatten} (type {@code djlquant.quantized.Unflatten}). */
public final class UnflattenCodec extends GlueCodec<Unflatten> {

    /** {@inheritDoc} */
    @Override
    public Class<Unflatten> blockClass() {
        return Unflatten.class;
    }

    @Override
    Unflatten create(JqNode node, QParams q) {
        return new Unflatten(q);
    }
}
