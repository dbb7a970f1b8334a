package io.djlquant.qat;

import io.djlquant.quantization.QConfig;

/** QAT form of {@link io.djlquant.nn.ConvRelu2d}: convolution and ReLU, fake-quantized. */
public class ConvRelu2d extends FusedConv2d {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block around a float block, sharing its parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     */
    public ConvRelu2d(io.djlquant.nn.ConvRelu2d floatBlock, QConfig qconfig) {
        super(VERSION, floatBlock, qconfig);
    }

    /**
     * Converts a float block; the result trains the float block's parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     * @return the QAT block
     */
    public static ConvRelu2d fromFloat(io.djlquant.nn.ConvRelu2d floatBlock, QConfig qconfig) {
        return new ConvRelu2d(floatBlock, qconfig);
    }
}
