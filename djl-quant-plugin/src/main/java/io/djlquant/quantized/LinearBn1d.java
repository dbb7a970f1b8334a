package io.djlquant.quantized;

import io.djlquant.quantization.QParams;

/** Quantized int8 fully connected layer (batch norm folded); see {@link QuantizedLinear}. */
public class LinearBn1d extends QuantizedLinear {

    /**
     * Creates the block.
     *
     * @param weights (out, in) integer weights and int32 bias
     * @param input the input activation parameters
     * @param output the output activation parameters
     */
    public LinearBn1d(QuantizedWeights weights, QParams input, QParams output) {
        super(weights, input, output, false);
    }
}
