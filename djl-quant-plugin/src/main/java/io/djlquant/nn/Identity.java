package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Passes its input through unchanged (e.g. the shortcut of a residual unit). */
public class Identity extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** Creates the block. */
    public Identity() {
        super(VERSION);
    }

    @Override
    protected NDArray apply(NDArray x) {
        return x;
    }

    @Override
    protected Shape outputShape(Shape input) {
        return input;
    }
}
