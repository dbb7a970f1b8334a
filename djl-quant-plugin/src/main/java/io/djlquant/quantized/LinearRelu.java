package io.djlquant.quantized;

import io.djlquant.quantization.QParams;

/** Quantized int8 fully connected layer (ReLU fused); see {@link QuantizedLinear}. */
public class LinearRelu extends QuantizedLinear {

    /**
     * Creates the block.
     *
     * @param weights (out, in) integer weights and int32 bias
     * @param input the input activation parameters
     * @param output the output activation parameters
     */
    public LinearRelu(QuantizedWeights weights, QParams input, QParams output) {
        super(weights, input, output, true);
    }
}
