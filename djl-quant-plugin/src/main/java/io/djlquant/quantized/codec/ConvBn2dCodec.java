package io.djlquant.quantized.codec;

import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.ConvBn2d;
import io.djlquant.quantized.QuantizedWeights;

/** Codec of {@link ConvBn2d} (type {@code djlquant.quantized.ConvBn2d}). */
public final class ConvBn2dCodec extends ConvCodec<ConvBn2d> {

    /** {@inheritDoc} */
    @Override
    public Class<ConvBn2d> blockClass() {
        return ConvBn2d.class;
    }

    @Override
    ConvBn2d create(QuantizedWeights w, ConvParams g, int groups, QParams in, QParams out) {
        return new ConvBn2d(w, g, groups, in, out);
    }
}
