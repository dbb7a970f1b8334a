package io.djlquant.quantized.codec;

import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.ConvBnRelu2d;
import io.djlquant.quantized.QuantizedWeights;

/** Codec of {@link ConvBnRelu2d} (type {@code djlquant.quantized.ConvBnRelu2d}). */
public final class ConvBnRelu2dCodec extends ConvCodec<ConvBnRelu2d> {

    /** {@inheritDoc} */
    @Override
    public Class<ConvBnRelu2d> blockClass() {
        return ConvBnRelu2d.class;
    }

    @Override
    ConvBnRelu2d create(QuantizedWeights w, ConvParams g, int groups, QParams in, QParams out) {
        return new ConvBnRelu2d(w, g, groups, in, out);
    }

    @Override
    ConvBnRelu2d create(
            QuantizedWeights w, ConvParams g, int groups, QParams in, QParams out, boolean relu6) {
        return new ConvBnRelu2d(w, g, groups, in, out, relu6);
    }
}
