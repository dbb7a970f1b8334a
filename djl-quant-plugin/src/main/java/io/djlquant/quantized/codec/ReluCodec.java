package io.djlquant.quantized.codec;

import io.djlquant.format.JqNode;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.Relu;

/** Codec of {@link Relu} (type {@code djlquant.quantized.Relu}). */
public final class ReluCodec extends GlueCodec<Relu> {

    /** {@inheritDoc} */
    @Override
    public Class<Relu> blockClass() {
        return Relu.class;
    }

    @Override
    Relu create(JqNode node, QParams q) {
        return new Relu(q);
    }
}
