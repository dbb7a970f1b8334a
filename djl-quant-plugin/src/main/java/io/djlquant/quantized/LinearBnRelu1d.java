package io.djlquant.quantized;

import io.djlquant.quantization.QParams;

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
}
