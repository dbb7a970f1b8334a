package io.djlquant.qat;

import io.djlquant.quantization.QConfig;

/**
 * QAT form of {@link io.djlquant.nn.LinearBnRelu1d}: fully connected layer with batch norm folded
 * and ReLU, fake-quantized.
 */
public class LinearBnRelu1d extends FusedLinear {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block around a float block, sharing its parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     */
    public LinearBnRelu1d(io.djlquant.nn.LinearBnRelu1d floatBlock, QConfig qconfig) {
        super(VERSION, floatBlock, qconfig);
    }

    /**
     * Converts a float block; the result trains the float block's parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     * @return the QAT block
     */
    public static LinearBnRelu1d fromFloat(
            io.djlquant.nn.LinearBnRelu1d floatBlock, QConfig qconfig) {
        return new LinearBnRelu1d(floatBlock, qconfig);
    }
}
