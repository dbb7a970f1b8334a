package io.djlquant.quantized.codec;

import ai.djl.MalformedModelException;
import io.djlquant.format.JqNode;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.Upsample;

/**
 * Codec of {@link Upsample} (type {@code djlquant.quantized.Upsample}): the factor and input
 * parameters.
 */
public final class UpsampleCodec extends GlueCodec<Upsample> {

    /** {@inheritDoc} */
    @Override
    public Class<Upsample> blockClass() {
        return Upsample.class;
    }

    @Override
    void putConfig(Upsample block, JqNode node) {
        node.put("scale", block.getScale());
    }

    @Override
    Upsample create(JqNode node, QParams q) throws MalformedModelException {
        return new Upsample(node.getInt("scale"), q);
    }
}
