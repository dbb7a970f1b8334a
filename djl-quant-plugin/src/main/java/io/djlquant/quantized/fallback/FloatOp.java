package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * One operation of a block kept in float inside an int8 model, computed in Java (no native engine)
 * so that a mixed-precision model runs, saves and loads on JavaQuant alone. Batch norm is folded
 * into the convolution and linear weights when the op is built ({@link FloatOps#of}).
 *
 * <p>Sums run in a fixed order with plain float arithmetic (no fused multiply-add, no vector
 * lanes), so the result is the same on every JVM and CPU.
 */
public sealed interface FloatOp
        permits FloatConv,
                FloatLinear,
                FloatPool,
                FloatPointwise,
                FloatSequence,
                FloatResidual,
                FloatJoin,
                FloatBranches,
                FloatUpsample {

    /**
     * Computes the op.
     *
     * @param inputs the inputs (one, or two for {@link FloatJoin})
     * @return the output
     * @throws IllegalArgumentException if the inputs do not fit the op
     */
    FloatValues apply(List<FloatValues> inputs);

    /**
     * Returns the output shape for the given input shapes.
     *
     * @param inputs the input shapes
     * @return the output shape
     * @throws IllegalArgumentException if the shapes do not fit the op
     */
    Shape outputShape(List<Shape> inputs);

    /**
     * Returns the number of inputs the op takes.
     *
     * @return 1, or 2 for a join
     */
    default int inputCount() {
        return 1;
    }

    /**
     * Returns the single input of a one-input op.
     *
     * @param op the op's name, for the message
     * @param inputs the inputs
     * @param <T> values or shapes
     * @return the input
     */
    static <T> T single(String op, List<T> inputs) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(op + " takes 1 input, got " + inputs.size());
        }
        return inputs.get(0);
    }

    /**
     * Checks the rank of a shape.
     *
     * @param op the op's name
     * @param shape the shape
     * @param rank the rank it needs
     * @return the shape
     */
    static Shape rank(String op, Shape shape, int rank) {
        if (shape.dimension() != rank) {
            throw new IllegalArgumentException(
                    op + " expects a rank-" + rank + " input, got shape " + shape);
        }
        return shape;
    }
}
