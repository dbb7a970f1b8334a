package io.djlquant.quantized.codec;

import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.LinearRelu;
import io.djlquant.quantized.QuantizedWeights;

/** Codec of {@link LinearRelu} (type {@code djlquant.quantized.LinearRelu}). */
public final class LinearReluCodec extends LinearCodec<LinearRelu> {

    /** {@inheritDoc} */
    @Override
    public Class<LinearRelu> blockClass() {
        return LinearRelu.class;
    }

    @Override
    LinearRelu create(QuantizedWeights w, QParams in, QParams out) {
        return new LinearRelu(w, in, out);
    }
}
