package io.djlquant.quantized;

import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.qparams.QParams;

/** Quantized int8 2-d convolution (no ReLU); see {@link QuantizedConv2d}. */
public class PlainConv2d extends QuantizedConv2d {

    /**
     * Creates the block.
     *
     * @param weights OIHW integer weights and int32 bias
     * @param geometry stride, padding and dilation
     * @param groups the number of groups
     * @param input the input activation parameters
     * @param output the output activation parameters
     */
    public PlainConv2d(
            QuantizedWeights weights,
            ConvParams geometry,
            int groups,
            QParams input,
            QParams output) {
        super(weights, geometry, groups, input, output, false);
    }

    /**
     * Converts a calibrated or trained QAT block (batch norm folded with the running statistics).
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static PlainConv2d fromQat(io.djlquant.qat.PlainConv2d qat) {
        return fromQat(qat, (w, g, gr, i, o, r6) -> new PlainConv2d(w, g, gr, i, o));
    }
}
