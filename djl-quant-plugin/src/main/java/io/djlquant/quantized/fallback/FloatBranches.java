package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import io.djlquant.nn.Concat;
import java.util.List;

/**
 * Parallel branches in float joined along the channel axis: {@code concat(b0(x), b1(x), ...)}.
 *
 * @param branches the branches, in join order (at least 2, one input each)
 */
public record FloatBranches(List<FloatOp> branches) implements FloatOp {

    /** Checks the branches. */
    public FloatBranches {
        if (branches == null || branches.size() < 2 || branches.stream().anyMatch(b -> b == null)) {
            throw new IllegalArgumentException("float branches need at least 2 branches");
        }
        for (FloatOp b : branches) {
            if (b.inputCount() != 1) {
                throw new IllegalArgumentException("every branch must take one input");
            }
        }
        branches = List.copyOf(branches);
    }

    /** {@inheritDoc} */
    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape in = FloatOp.single("float branches", inputs);
        Shape[] outs = new Shape[branches.size()];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = branches.get(i).outputShape(List.of(in));
        }
        return Concat.outputShape("float concat", outs.length, outs);
    }

    /** {@inheritDoc} */
    @Override
    public FloatValues apply(List<FloatValues> inputs) {
        FloatValues x = FloatOp.single("float branches", inputs);
        Object[] parts = new Object[branches.size()];
        Shape[] shapes = new Shape[branches.size()];
        for (int i = 0; i < shapes.length; i++) {
            FloatValues v = branches.get(i).apply(List.of(x));
            parts[i] = v.data();
            shapes[i] = v.shape();
        }
        Shape out = Concat.outputShape("float concat", shapes.length, shapes);
        float[] y = new float[Math.toIntExact(out.size())];
        Concat.copyChannels(parts, shapes, out, y);
        return new FloatValues(y, out);
    }
}
