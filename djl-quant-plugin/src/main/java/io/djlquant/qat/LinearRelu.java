package io.djlquant.qat;

import io.djlquant.quantization.QConfig;

/**
 * QAT form of {@link io.djlquant.nn.LinearRelu}: fully connected layer and ReLU, fake-quantized.
 */
public class LinearRelu extends FusedLinear {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block around a float block, sharing its parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     */
    public LinearRelu(io.djlquant.nn.LinearRelu floatBlock, QConfig qconfig) {
        super(VERSION, floatBlock, qconfig);
    }

    /**
     * Converts a float block; the result trains the float block's parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     * @return the QAT block
     */
    public static LinearRelu fromFloat(io.djlquant.nn.LinearRelu floatBlock, QConfig qconfig) {
        return new LinearRelu(floatBlock, qconfig);
    }
}
