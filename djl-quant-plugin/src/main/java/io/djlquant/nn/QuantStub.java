package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Marks where quantization starts; the identity in float (the QAT form quantizes here). */
public class QuantStub extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** Creates the block. */
    public QuantStub() {
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
