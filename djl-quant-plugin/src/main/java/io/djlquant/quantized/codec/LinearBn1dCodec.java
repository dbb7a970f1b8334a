package io.djlquant.quantized.codec;

import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.LinearBn1d;
import io.djlquant.quantized.QuantizedWeights;

/** Codec of {@link LinearBn1d} (type {@code djlquant.quantized.LinearBn1d}). */
public final class LinearBn1dCodec extends LinearCodec<LinearBn1d> {

    /** {@inheritDoc} */
    @Override
    public Class<LinearBn1d> blockClass() {
        return LinearBn1d.class;
    }

    @Override
    LinearBn1d create(QuantizedWeights w, QParams in, QParams out) {
        return new LinearBn1d(w, in, out);
    }
}
