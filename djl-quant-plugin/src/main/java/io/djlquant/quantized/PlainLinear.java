package io.djlquant.quantized;

import io.djlquant.quantization.qparams.QParams;

/** Quantized int8 fully connected layer (no ReLU); see {@link QuantizedLinear}. */
public class PlainLinear extends QuantizedLinear {

    /**
     * Creates the block.
     *
     * @param weights (out, in) integer weights and int32 bias
     * @param input the input activation parameters
     * @param output the output activation parameters
     */
    public PlainLinear(QuantizedWeights weights, QParams input, QParams output) {
        super(weights, input, output, false);
    }

    /**
     * Converts a calibrated or trained QAT block (batch norm folded with the running statistics).
     *
     * @param qat the QAT block
     * @return the int8 block
     * @throws IllegalStateException if its fake quants have not observed data
     */
    public static PlainLinear fromQat(io.djlquant.qat.PlainLinear qat) {
        return fromQat(qat, PlainLinear::new);
    }
}
