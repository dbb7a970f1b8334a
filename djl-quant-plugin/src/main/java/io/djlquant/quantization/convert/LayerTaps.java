package io.djlquant.quantization.convert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.djlquant.quantized.QuantizedModels;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of a Float, QFloat or Q block tree in which every layer reports its output, for {@link
 * LayerComparator}. DJL blocks have no forward hooks, so the containers this project builds
 * (SequentialBlock and the three {@code Residual}s and {@code Branches}) are rebuilt around the
 * same layer instances, each layer wrapped in a tap; the original tree is not modified. Identity
 * shortcuts are not tapped (their output is their input). The taps are numbered in execution order,
 * which is the same in the three forms of one network because the converters map container to
 * container and layer to layer.
 */
final class LayerTaps {

    private final Block root;
    private final List<String> paths = new ArrayList<>();
    private final List<String> blocks = new ArrayList<>();
    private float[][] outputs;
    private Shape[] shapes;

    /**
     * Builds the tapped copy.
     *
     * @param tree the tree (not modified)
     */
    LayerTaps(Block tree) {
        this.root = rebuild(tree, "");
    }

    /**
     * @return the path of each tap (as {@link BlockTree} names blocks), in execution order
     */
    List<String> paths() {
        return paths;
    }

    /**
     * @return the class simple name of each tapped layer
     */
    List<String> blocks() {
        return blocks;
    }

    /**
     * Runs one batch and returns every layer's output as real values (quantized activations are
     * dequantized).
     *
     * @param x the input batch; intermediate arrays are attached to its manager
     * @return per tap, its output's values
     * @throws IllegalStateException if a layer did not run
     */
    synchronized float[][] run(NDArray x) {
        outputs = new float[paths.size()][];
        shapes = new Shape[paths.size()];
        NDManager m = x.getManager();
        root.forward(new ParameterStore(m, false), new NDList(x), false);
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i] == null) {
                throw new IllegalStateException(
                        "layer '"
                                + BlockTree.display(paths.get(i))
                                + "' did not run in the forward pass");
            }
        }
        float[][] out = outputs;
        outputs = null;
        return out;
    }

    /**
     * @return the output shapes of the last {@link #run}
     */
    Shape[] lastShapes() {
        return shapes;
    }

    private Block rebuild(Block b, String path) {
        if (b.getClass() == SequentialBlock.class) {
            SequentialBlock copy = new SequentialBlock();
            for (Pair<String, Block> c : b.getChildren()) {
                copy.add(rebuild(c.getValue(), BlockTree.join(path, c.getKey())));
            }
            return copy;
        }
        Block[] parts = joinedParts(b);
        if (parts != null) {
            PairList<String, Block> named = b.getChildren();
            Block[] tapped = new Block[parts.length];
            for (int i = 0; i < parts.length - 1; i++) {
                tapped[i] =
                        rebuild(
                                parts[i],
                                BlockTree.join(path, nameOf(named, parts[i], "branch" + i)));
            }
            Block join = parts[parts.length - 1];
            tapped[parts.length - 1] = tap(join, BlockTree.join(path, nameOf(named, join, "join")));
            return new TappedBranches(tapped);
        }
        if (b instanceof io.djlquant.nn.Identity || b instanceof io.djlquant.quantized.Identity) {
            return b;
        }
        return tap(b, path);
    }

    private Block tap(Block b, String path) {
        paths.add(path);
        blocks.add(b.getClass().getSimpleName());
        return new Tap(b, paths.size() - 1);
    }

    private static String nameOf(PairList<String, Block> children, Block child, String fallback) {
        for (Pair<String, Block> c : children) {
            if (c.getValue() == child) {
                return c.getKey();
            }
        }
        return fallback;
    }

    /**
     * The branches and then the join of the Float, QFloat and Q containers with several branches
     * ({@code Residual}: main, shortcut, join; {@code Branches}: branch0..n, join); null for other
     * blocks.
     */
    private static Block[] joinedParts(Block b) {
        if (b instanceof io.djlquant.nn.Residual) {
            io.djlquant.nn.Residual r = (io.djlquant.nn.Residual) b;
            return new Block[] {r.getMain(), r.getShortcut(), r.getJoin()};
        }
        if (b instanceof io.djlquant.qat.Residual) {
            io.djlquant.qat.Residual r = (io.djlquant.qat.Residual) b;
            return new Block[] {r.getMain(), r.getShortcut(), r.getJoin()};
        }
        if (b instanceof io.djlquant.quantized.Residual) {
            io.djlquant.quantized.Residual r = (io.djlquant.quantized.Residual) b;
            return new Block[] {r.getMain(), r.getShortcut(), r.getJoin()};
        }
        if (b instanceof io.djlquant.nn.Branches) {
            io.djlquant.nn.Branches r = (io.djlquant.nn.Branches) b;
            return withJoin(r.getBranches(), r.getJoin());
        }
        if (b instanceof io.djlquant.qat.Branches) {
            io.djlquant.qat.Branches r = (io.djlquant.qat.Branches) b;
            return withJoin(r.getBranches(), r.getJoin());
        }
        if (b instanceof io.djlquant.quantized.Branches) {
            io.djlquant.quantized.Branches r = (io.djlquant.quantized.Branches) b;
            return withJoin(r.getBranches(), r.getJoin());
        }
        return null;
    }

    private static Block[] withJoin(List<Block> branches, Block join) {
        Block[] out = branches.toArray(new Block[branches.size() + 1]);
        out[branches.size()] = join;
        return out;
    }

    /** A layer that records its first output. */
    private final class Tap extends AbstractBlock {

        private final Block layer;
        private final int index;

        Tap(Block layer, int index) {
            this.layer = layer;
            this.index = index;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            NDList out = layer.forward(ps, inputs, training, params);
            if (outputs != null) {
                outputs[index] = QuantizedModels.realValues(out.head());
                shapes[index] = out.head().getShape();
            }
            return out;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return layer.getOutputShapes(inputShapes);
        }
    }

    /** join(branch0(x), branch1(x), ...): the forward of the Residual and Branches containers. */
    private static final class TappedBranches extends AbstractBlock {

        /** The branches, then the join. */
        private final Block[] parts;

        TappedBranches(Block[] parts) {
            this.parts = parts;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            NDList joined = new NDList(parts.length - 1);
            for (int i = 0; i < parts.length - 1; i++) {
                joined.add(parts[i].forward(ps, inputs, training, params).head());
            }
            return parts[parts.length - 1].forward(ps, joined, training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape[] joined = new Shape[parts.length - 1];
            for (int i = 0; i < joined.length; i++) {
                joined[i] = parts[i].getOutputShapes(inputShapes)[0];
            }
            return parts[parts.length - 1].getOutputShapes(joined);
        }
    }
}
