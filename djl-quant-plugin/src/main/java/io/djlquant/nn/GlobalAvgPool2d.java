package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;

/**
 * Global average pooling over H and W of an NCHW input, computed by DJL's {@link
 * Pool#globalAvgPool2d(NDArray)}. Like DJL on the PyTorch engine, the output is (N, C): the spatial
 * axes are dropped.
 */
public class GlobalAvgPool2d extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** Creates the block. */
    public GlobalAvgPool2d() {
        super(VERSION);
    }

    @Override
    protected int[] allowedRanks() {
        return new int[] {4};
    }

    @Override
    protected NDArray apply(NDArray x) {
        return Pool.globalAvgPool2d(x);
    }

    @Override
    protected Shape outputShape(Shape input) {
        return new Shape(input.get(0), input.get(1));
    }
}
