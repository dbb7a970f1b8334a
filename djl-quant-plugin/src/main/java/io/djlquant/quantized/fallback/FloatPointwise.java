package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A one-input op without parameters: ReLU, ReLU6, sigmoid, tanh, identity, flatten to {@code N x
 * rest}, or unflatten {@code N x C} to {@code N x C x 1 x 1}.
 *
 * @param kind which op
 */
public record FloatPointwise(Kind kind) implements FloatOp {

    /** The ops. */
    public enum Kind {
        /** {@code max(x, 0)}. */
        RELU,
        /** {@code min(max(x, 0), 6)}. */
        RELU6,
        /** The input unchanged. */
        IDENTITY,
        /** The input as {@code N x (C*H*W)}. */
        FLATTEN,
        /** An {@code N x C} input as {@code N x C x 1 x 1}. */
        UNFLATTEN,
        /** {@code 1 / (1 + exp(-x))}. */
        SIGMOID,
        /** {@code tanh(x)}. */
        TANH
    }

    /** Checks the kind. */
    public FloatPointwise {
        if (kind == null) {
            throw new IllegalArgumentException("a float pointwise op needs a kind");
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = FloatOp.single("float " + kind, inputs);
        if (kind == Kind.UNFLATTEN) {
            if (in.dimension() != 2) {
                throw new IllegalArgumentException("float unflatten needs N x C, got " + in);
            }
            return new Shape(in.get(0), in.get(1), 1, 1);
        }
        if (kind != Kind.FLATTEN) {
            return in;
        }
        if (in.dimension() < 1) {
            throw new IllegalArgumentException("float flatten needs a batch axis, got " + in);
        }
        return new Shape(in.get(0), in.slice(1).size());
    }

    /** {@inheritDoc} */
    @Override
    public FloatValues apply(List<FloatValues> inputs) {
        FloatValues x = FloatOp.single("float " + kind, inputs);
        Shape out = outputShape(List.of(x.shape()));
        if (kind == Kind.SIGMOID || kind == Kind.TANH) {
            // StrictMath: the same bits on every JVM and CPU, as the rest of the float path
            float[] y = new float[x.data().length];
            for (int i = 0; i < y.length; i++) {
                double v = x.data()[i];
                y[i] =
                        (float)
                                (kind == Kind.TANH
                                        ? StrictMath.tanh(v)
                                        : 1 / (1 + StrictMath.exp(-v)));
            }
            return new FloatValues(y, out);
        }
        if (kind != Kind.RELU && kind != Kind.RELU6) {
            return new FloatValues(x.data(), out);
        }
        float cap = kind == Kind.RELU6 ? 6f : Float.POSITIVE_INFINITY;
        float[] y = new float[x.data().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.min(Math.max(x.data()[i], 0f), cap);
        }
        return new FloatValues(y, out);
    }
}
