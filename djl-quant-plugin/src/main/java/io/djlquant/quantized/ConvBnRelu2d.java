package io.djlquant.quantized;

import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.qparams.QParams;

/** Quantized int8 2-d convolution (batch norm folded, ReLU fused); see {@link QuantizedConv2d}. */
public class ConvBnRelu2d extends QuantizedConv2d {

    /**
     * Creates the block.
     *
     * @param weights OIHW integer weights and int32 bias
     * @param geometry stride, padding and dilation
     * @param groups the number of groups
     * @param input the input activation parameters
     * @param output the output activation parameters
     */
    public ConvBnRelu2d(
            QuantizedWeights weights,
            ConvParams geometry,
            int groups,
            QParams input,
            QParams output) {
        super(weights, geometry, groups, input, output, true);
    }

    /**
     * Creates the block with a ReLU6 when {@code relu6}.
     *
     * @param weights OIHW integer weights and int32 bias
     * @param geometry stride, padding and dilation
     * @param groups the number of groups
     * @param input the input activation parameters
     * @param output the output activation parameters
     * @param relu6 whether the ReLU is a ReLU6
     */
    public ConvBnRelu2d(
            QuantizedWeights weights,
            ConvParams geometry,
            int groups,
            QParams input,
            QParams output,
            boolean relu6) {
        super(weights, geometry, groups, input, output, true, relu6);
    }

    /**
     * Converts a calibrated or trained QAT block (batch norm folded with the running statistics).
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static ConvBnRelu2d fromQat(io.djlquant.qat.ConvBnRelu2d qat) {
        return fromQat(qat, ConvBnRelu2d::new);
    }
}
