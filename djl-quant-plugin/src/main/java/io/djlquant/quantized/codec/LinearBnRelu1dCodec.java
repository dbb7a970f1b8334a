package io.djlquant.quantized.codec;

import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.LinearBnRelu1d;
import io.djlquant.quantized.QuantizedWeights;

/** Codec of {@link LinearBnRelu1d} (type {@code djlquant.quantized.LinearBnRelu1d}). */
public final class LinearBnRelu1dCodec extends LinearCodec<LinearBnRelu1d> {

    /** {@inheritDoc} */
    @Override
    public Class<LinearBnRelu1d> blockClass() {
        return LinearBnRelu1d.class;
    }

    @Override
    LinearBnRelu1d create(QuantizedWeights w, QParams in, QParams out) {
        return new LinearBnRelu1d(w, in, out);
    }
}
