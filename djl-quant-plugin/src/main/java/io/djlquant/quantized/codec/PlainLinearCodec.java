package io.djlquant.quantized.codec;

import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.PlainLinear;
import io.djlquant.quantized.QuantizedWeights;

/** Codec of {@link PlainLinear} (type {@code djlquant.quantized.PlainLinear}). */
public final class PlainLinearCodec extends LinearCodec<PlainLinear> {

    /** {@inheritDoc} */
    @Override
    public Class<PlainLinear> blockClass() {
        return PlainLinear.class;
    }

    @Override
    PlainLinear create(QuantizedWeights w, QParams in, QParams out) {
        return new PlainLinear(w, in, out);
    }
}
