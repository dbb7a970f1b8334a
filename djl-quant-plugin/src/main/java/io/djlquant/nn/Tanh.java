package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * A standalone {@code tanh}, {@code tanh(x)}, computed by DJL's {@link Activation#tanh(NDArray)}.
 * It has no int8 form: a quantized model runs it in float between a dequantization and a
 * quantization (its QAT mapping is a {@code FloatFallback}), and the int8 engine runs it in Java.
 */
public class Tanh extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** Creates the block. */
    public Tanh() {
        super(VERSION);
    }

    @Override
    protected NDArray apply(NDArray x) {
        return Activation.tanh(x);
    }

    @Override
    protected Shape outputShape(Shape input) {
        return input;
    }
}
