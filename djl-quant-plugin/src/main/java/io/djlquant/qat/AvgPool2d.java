package io.djlquant.qat;

import io.djlquant.quantization.QConfig;

/** QAT form of {@link io.djlquant.nn.AvgPool2d}: the float pool, rounded onto the input's grid. */
public class AvgPool2d extends GridKeepingPool {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block.
     *
     * @param floatBlock the float pool
     */
    public AvgPool2d(io.djlquant.nn.AvgPool2d floatBlock) {
        super(VERSION, floatBlock);
    }

    /**
     * Converts a float pool.
     *
     * @param floatBlock the float pool
     * @param qconfig unused (the input's QParams are kept); accepted for the mapping table
     * @return the QAT pool
     */
    public static AvgPool2d fromFloat(io.djlquant.nn.AvgPool2d floatBlock, QConfig qconfig) {
        return new AvgPool2d(floatBlock);
    }

    /** {@inheritDoc} */
    @Override
    public io.djlquant.nn.AvgPool2d getFloatBlock() {
        return (io.djlquant.nn.AvgPool2d) super.getFloatBlock();
    }
}
