package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import io.djlquant.nn.ElementWise;
import java.util.List;

/**
 * The element-wise join of two same-shape inputs ({@code a + b}, {@code relu(a + b)} or {@code a *
 * b}), the float form of {@code ElementWise}.
 *
 * @param mode the operation
 */
public record FloatJoin(ElementWise.Mode mode) implements FloatOp {

    /** Checks the mode. */
    public FloatJoin {
        if (mode == null) {
            throw new IllegalArgumentException("a float join needs a mode");
        }
    }

    /** {@inheritDoc} */
    @Override
    public int inputCount() {
        return 2;
    }

    /** {@inheritDoc} */
    @Override
    public Shape outputShape(List<Shape> inputs) {
        if (inputs.size() != 2) {
            throw new IllegalArgumentException(
                    "float " + mode + " takes 2 inputs, got " + inputs.size());
        }
        if (!inputs.get(0).equals(inputs.get(1))) {
            throw new IllegalArgumentException(
                    "float "
                            + mode
                            + " needs equal shapes, got "
                            + inputs.get(0)
                            + " and "
                            + inputs.get(1));
        }
        return inputs.get(0);
    }

    /** {@inheritDoc} */
    @Override
    public FloatValues apply(List<FloatValues> inputs) {
        Shape shape = outputShape(inputs.stream().map(FloatValues::shape).toList());
        float[] a = inputs.get(0).data();
        float[] b = inputs.get(1).data();
        float[] y = new float[a.length];
        for (int i = 0; i < y.length; i++) {
            float v = mode == ElementWise.Mode.MUL ? a[i] * b[i] : a[i] + b[i];
            y[i] = mode == ElementWise.Mode.ADD_RELU ? Math.max(v, 0f) : v;
        }
        return new FloatValues(y, shape);
    }
}
