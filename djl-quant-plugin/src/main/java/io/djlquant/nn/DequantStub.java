package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Marks where quantization ends; the identity in float (the quantized form dequantizes here). */
public class DequantStub extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** Creates the block. */
    public DequantStub() {
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
