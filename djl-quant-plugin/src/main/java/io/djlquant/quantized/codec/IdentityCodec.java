package io.djlquant.quantized.codec;

import io.djlquant.format.JqNode;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.Identity;

/** Codec of {@link Identity} (type {@code djlquant.quantized.Identity}). */
public final class IdentityCodec extends GlueCodec<Identity> {

    /** {@inheritDoc} */
    @Override
    public Class<Identity> blockClass() {
        return Identity.class;
    }

    @Override
    Identity create(JqNode node, QParams q) {
        return new Identity(q);
    }
}
