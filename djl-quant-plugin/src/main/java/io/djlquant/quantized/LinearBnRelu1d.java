package io.djlquant.quantized;

import io.djlquant.quantization.qparams.QParams;

/**
 * Quantized int8 fully connected layer (batch norm folded, ReLU fused); see {@link
 * QuantizedLinear}.
 */
public class LinearBnRelu1d extends QuantizedLinear {

    /**
     * Creates the block.
     *
     * @param weights (out, in) integer weights and int32 bias
     * @param input the input activation parameters
     * @param output the output activation parameters
     */
    public LinearBnRelu1d(QuantizedWeights weights, QParams input, QParams output) {
        super(weights, input, output, true);
    }

    /**
     * Converts a calibrated or trained QAT block (batch norm folded with the running statistics).
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static LinearBnRelu1d fromQat(io.djlquant.qat.LinearBnRelu1d qat) {
        return fromQat(qat, LinearBnRelu1d::new);
    }
}
