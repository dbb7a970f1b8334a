package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A residual block in float: {@code join(main(x), shortcut(x))}.
 *
 * @param main the main branch
 * @param shortcut the shortcut branch
 * @param join the join of the two
 */
public record FloatResidual(FloatOp main, FloatOp shortcut, FloatJoin join) implements FloatOp {

    /** Checks the parts. */
    public FloatResidual {
        if (main == null || shortcut == null || join == null) {
            throw new IllegalArgumentException("a float residual needs main, shortcut and join");
        }
        if (main.inputCount() != 1 || shortcut.inputCount() != 1) {
            throw new IllegalArgumentException("residual branches must take one input");
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = FloatOp.single("float residual", inputs);
        return join.outputShape(
                List.of(main.outputShape(List.of(in)), shortcut.outputShape(List.of(in))));
    }

    /** {@inheritDoc} */
    @Override
    public FloatValues apply(List<FloatValues> inputs) {
        FloatValues x = FloatOp.single("float residual", inputs);
        return join.apply(List.of(main.apply(List.of(x)), shortcut.apply(List.of(x))));
    }
}
