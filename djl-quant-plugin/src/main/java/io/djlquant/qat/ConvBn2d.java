package io.djlquant.qat;

import io.djlquant.quantization.QConfig;

/**
 * QAT form of {@link io.djlquant.nn.ConvBn2d}: convolution with batch norm folded (batch statistics
 * in training, running statistics in inference), fake-quantized.
 */
public class ConvBn2d extends FusedConv2d {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block around a float block, sharing its parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     */
    public ConvBn2d(io.djlquant.nn.ConvBn2d floatBlock, QConfig qconfig) {
        super(VERSION, floatBlock, qconfig);
    }

    /**
     * Converts a float block; the result trains the float block's parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     * @return the QAT block
     */
    public static ConvBn2d fromFloat(io.djlquant.nn.ConvBn2d floatBlock, QConfig qconfig) {
        return new ConvBn2d(floatBlock, qconfig);
    }
}
