package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;
import io.djlquant.nn.Concat;
import java.util.ArrayList;
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
        List<FloatValues> outs = new ArrayList<>();
        Shape[] shapes = new Shape[branches.size()];
        for (int i = 0; i < shapes.length; i++) {
            outs.add(branches.get(i).apply(List.of(x)));
            shapes[i] = outs.get(i).shape();
        }
        Shape out = Concat.outputShape("float concat", shapes.length, shapes);
        long inner = out.size() / (out.get(0) * out.get(Concat.AXIS));
        float[] y = new float[Math.toIntExact(out.size())];
        int outRow = Math.toIntExact(out.get(Concat.AXIS) * inner);
        int offset = 0;
        for (FloatValues v : outs) {
            int row = Math.toIntExact(v.shape().get(Concat.AXIS) * inner);
            for (int n = 0; n < out.get(0); n++) {
                System.arraycopy(v.data(), n * row, y, n * outRow + offset, row);
            }
            offset += row;
        }
        return new FloatValues(y, out);
    }
}
