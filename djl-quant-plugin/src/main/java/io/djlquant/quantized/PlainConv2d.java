package io.djlquant.quantized;

import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.QParams;

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
}
