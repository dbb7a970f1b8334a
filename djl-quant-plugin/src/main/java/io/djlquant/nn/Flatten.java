package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;

/** Batch flatten: (N, d1, d2, ...) to (N, d1*d2*...), as DJL's {@link Blocks#batchFlatten}. */
public class Flatten extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** Creates the block. */
    public Flatten() {
        super(VERSION);
    }

    @Override
    protected NDArray apply(NDArray x) {
        if (x.getShape().dimension() < 1) {
            throw new IllegalArgumentException(
                    "Flatten needs an input with a batch axis, got a scalar");
        }
        return Blocks.batchFlatten(x);
    }

    @Override
    protected Shape outputShape(Shape input) {
        if (input.dimension() < 1) {
            throw new IllegalArgumentException(
                    "Flatten needs an input with a batch axis, got a scalar");
        }
        return new Shape(input.get(0), input.slice(1).size());
    }
}
