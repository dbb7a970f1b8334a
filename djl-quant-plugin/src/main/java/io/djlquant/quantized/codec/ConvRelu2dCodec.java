package io.djlquant.quantized.codec;

import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.ConvRelu2d;
import io.djlquant.quantized.QuantizedWeights;

/** Codec of {@link ConvRelu2d} (type {@code djlquant.quantized.ConvRelu2d}). */
public final class ConvRelu2dCodec extends ConvCodec<ConvRelu2d> {

    /** {@inheritDoc} */
    @Override
    public Class<ConvRelu2d> blockClass() {
        return ConvRelu2d.class;
    }

    @Override
    ConvRelu2d create(QuantizedWeights w, ConvParams g, int groups, QParams in, QParams out) {
        return new ConvRelu2d(w, g, groups, in, out);
    }

    @Override
    ConvRelu2d create(
            QuantizedWeights w, ConvParams g, int groups, QParams in, QParams out, boolean relu6) {
        return new ConvRelu2d(w, g, groups, in, out, relu6);
    }
}
