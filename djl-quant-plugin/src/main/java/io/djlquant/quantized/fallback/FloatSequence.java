package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Ops applied one after the other (the float form of a {@code SequentialBlock}).
 *
 * @param ops the ops, in order
 */
public record FloatSequence(List<FloatOp> ops) implements FloatOp {

    /** Copies the list and checks that every op takes one input. */
    public FloatSequence {
        if (ops == null || ops.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("a float sequence needs a list of non-null ops");
        }
        ops = List.copyOf(ops);
        for (FloatOp op : ops) {
            if (op.inputCount() != 1) {
                throw new IllegalArgumentException(
                        "a float sequence cannot hold a " + op.inputCount() + "-input op");
            }
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape s = FloatOp.single("float sequence", inputs);
        for (FloatOp op : ops) {
            s = op.outputShape(List.of(s));
        }
        return s;
    }

    /** {@inheritDoc} */
    @Override
    public FloatValues apply(List<FloatValues> inputs) {
        FloatValues v = FloatOp.single("float sequence", inputs);
        for (FloatOp op : ops) {
            v = op.apply(List.of(v));
        }
        return v;
    }
}
