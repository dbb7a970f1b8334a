package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/** A standalone ReLU, {@code max(x, 0)}, computed by DJL's {@link Activation#relu(NDArray)}. */
public class Relu extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** Creates the block. */
    public Relu() {
        super(VERSION);
    }

    @Override
    protected NDArray apply(NDArray x) {
        return Activation.relu(x);
    }

    @Override
    protected Shape outputShape(Shape input) {
        return input;
    }
}
