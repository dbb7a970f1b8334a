package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A feature vector as a 1x1 map: (N, C) to (N, C, 1, 1), the reshape that lets a 1x1 convolution
 * act as the classifier (DJL's {@code MobileNetV2} ends this way).
 */
public class Unflatten extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** Creates the block. */
    public Unflatten() {
        super(VERSION);
    }

    @Override
    protected int[] allowedRanks() {
        return new int[] {2};
    }

    @Override
    protected NDArray apply(NDArray x) {
        return x.reshape(outputShape(x.getShape()));
    }

    @Override
    protected Shape outputShape(Shape input) {
        return new Shape(input.get(0), input.get(1), 1, 1);
    }
}
