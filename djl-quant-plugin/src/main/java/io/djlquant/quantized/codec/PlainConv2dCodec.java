package io.djlquant.quantized.codec;

import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.PlainConv2d;
import io.djlquant.quantized.QuantizedWeights;

/** Codec of {@link PlainConv2d} (type {@code djlquant.quantized.PlainConv2d}). */
public final class PlainConv2dCodec extends ConvCodec<PlainConv2d> {

    /** {@inheritDoc} */
    @Override
    public Class<PlainConv2d> blockClass() {
        return PlainConv2d.class;
    }

    @Override
    PlainConv2d create(QuantizedWeights w, ConvParams g, int groups, QParams in, QParams out) {
        return new PlainConv2d(w, g, groups, in, out);
    }
}
