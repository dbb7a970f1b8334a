package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A one-input op without parameters: ReLU, identity, or flatten to {@code N x rest}.
 *
 * @param kind which op
 */
public record FloatPointwise(Kind kind) implements FloatOp {

    /** The ops. */
    public enum Kind {
        /** {@code max(x, 0)}. */
        RELU,
        /** The input unchanged. */
        IDENTITY,
        /** The input as {@code N x (C*H*W)}. */
        FLATTEN
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
        if (kind != Kind.RELU) {
            return new FloatValues(x.data(), out);
        }
        float[] y = new float[x.data().length];
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.max(x.data()[i], 0f);
        }
        return new FloatValues(y, out);
    }
}
