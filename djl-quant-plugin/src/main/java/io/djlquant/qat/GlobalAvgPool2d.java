package io.djlquant.qat;

import io.djlquant.quantization.QConfig;

/**
 * QAT form of {@link io.djlquant.nn.GlobalAvgPool2d}: the float pool, rounded onto the input's
 * grid.
 */
public class GlobalAvgPool2d extends GridKeepingPool {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block.
     *
     * @param floatBlock the float pool
     */
    public GlobalAvgPool2d(io.djlquant.nn.GlobalAvgPool2d floatBlock) {
        super(VERSION, floatBlock);
    }

    /**
     * Converts a float pool.
     *
     * @param floatBlock the float pool
     * @param qconfig unused (the input's QParams are kept); accepted for the mapping table
     * @return the QAT pool
     */
    public static GlobalAvgPool2d fromFloat(
            io.djlquant.nn.GlobalAvgPool2d floatBlock, QConfig qconfig) {
        return new GlobalAvgPool2d(floatBlock);
    }

    /** {@inheritDoc} */
    @Override
    public io.djlquant.nn.GlobalAvgPool2d getFloatBlock() {
        return (io.djlquant.nn.GlobalAvgPool2d) super.getFloatBlock();
    }
}
