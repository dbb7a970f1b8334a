package io.djlquant.qat;

import io.djlquant.quantization.QConfig;

/** QAT form of {@link io.djlquant.nn.PlainConv2d}: a plain convolution, fake-quantized. */
public class PlainConv2d extends FusedConv2d {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block around a float block, sharing its parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     */
    public PlainConv2d(io.djlquant.nn.PlainConv2d floatBlock, QConfig qconfig) {
        super(VERSION, floatBlock, qconfig);
    }

    /**
     * Converts a float block; the result trains the float block's parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     * @return the QAT block
     */
    public static PlainConv2d fromFloat(io.djlquant.nn.PlainConv2d floatBlock, QConfig qconfig) {
        return new PlainConv2d(floatBlock, qconfig);
    }
}
