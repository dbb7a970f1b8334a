package io.djlquant.qat;

import io.djlquant.quantization.QConfig;

/**
 * QAT form of {@link io.djlquant.nn.ConvBnRelu2d}: convolution with batch norm folded and ReLU,
 * fake-quantized.
 */
public class ConvBnRelu2d extends FusedConv2d {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block around a float block, sharing its parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     */
    public ConvBnRelu2d(io.djlquant.nn.ConvBnRelu2d floatBlock, QConfig qconfig) {
        super(VERSION, floatBlock, qconfig);
    }

    /**
     * Converts a float block; the result trains the float block's parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     * @return the QAT block
     */
    public static ConvBnRelu2d fromFloat(io.djlquant.nn.ConvBnRelu2d floatBlock, QConfig qconfig) {
        return new ConvBnRelu2d(floatBlock, qconfig);
    }
}
