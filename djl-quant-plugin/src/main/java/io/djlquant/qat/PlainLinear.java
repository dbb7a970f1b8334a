package io.djlquant.qat;

import io.djlquant.quantization.QConfig;

/**
 * QAT form of {@link io.djlquant.nn.PlainLinear}: a plain fully connected layer, fake-quantized.
 */
public class PlainLinear extends FusedLinear {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block around a float block, sharing its parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     */
    public PlainLinear(io.djlquant.nn.PlainLinear floatBlock, QConfig qconfig) {
        super(VERSION, floatBlock, qconfig);
    }

    /**
     * Converts a float block; the result trains the float block's parameters.
     *
     * @param floatBlock the float block
     * @param qconfig the quantization recipe
     * @return the QAT block
     */
    public static PlainLinear fromFloat(io.djlquant.nn.PlainLinear floatBlock, QConfig qconfig) {
        return new PlainLinear(floatBlock, qconfig);
    }
}
