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
import java.util.Set;
import java.util.function.Predicate;

/**
 * Runs a Float or QFloat tree with a callback that sees the input of selected layers. DJL blocks
 * have no forward hooks, so, as in {@link LayerTaps}, the containers this project builds
 * (SequentialBlock and the Residuals) are rebuilt around the same layer instances; the original
 * tree is not modified. A hook may throw {@link Stop} to end the forward pass early (a per-layer
 * algorithm has no use for the layers after the one it measures).
 */
final class ForwardHooks {

    /** Receives a selected layer and its input, before the layer runs. */
    interface Hook {
        void before(Block layer, NDArray input);
    }

    /** Thrown by a hook to abandon the rest of the forward pass. */
    static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super("forward stopped by a hook", null, false, false);
        }
    }

    private final Block root;
    private final Hook hook;
    private int hooked;

    /**
     * Builds the hooked copy.
     *
     * @param tree the tree (not modified)
     * @param targets the layers whose input the hook receives
     * @param hook the callback
     * @throws IllegalArgumentException if a target sits in a container that cannot be rebuilt
     */
    ForwardHooks(Block tree, Set<Block> targets, Hook hook) {
        this.hook = hook;
        this.root = rebuild(tree, targets::contains);
        if (hooked != targets.size()) {
            throw new IllegalArgumentException(
                    (targets.size() - hooked)
                            + " of "
                            + targets.size()
                            + " layers sit in containers other than SequentialBlock and Residual;"
                            + " the algorithm cannot reach them");
        }
    }

    /**
     * Runs one batch (inference mode); intermediate arrays are freed before returning.
     *
     * @param x the input batch (not closed)
     * @return false if a hook stopped the pass
     */
    boolean run(NDArray x) {
        try (NDManager scope = x.getManager().newSubManager()) {
            NDList in = new NDList(x);
            in.tempAttach(scope);
            root.forward(new ParameterStore(scope, false), in, false);
            return true;
        } catch (Stop s) {
            return false;
        }
    }

    private Block rebuild(Block b, Predicate<Block> target) {
        if (target.test(b)) {
            hooked++;
            return new Hooked(b);
        }
        if (b.getClass() == SequentialBlock.class) {
            SequentialBlock copy = new SequentialBlock();
            for (Pair<String, Block> c : b.getChildren()) {
                copy.add(rebuild(c.getValue(), target));
            }
            return copy;
        }
        if (b instanceof io.djlquant.nn.Residual) {
            io.djlquant.nn.Residual r = (io.djlquant.nn.Residual) b;
            return new HookedResidual(
                    rebuild(r.getMain(), target),
                    rebuild(r.getShortcut(), target),
                    rebuild(r.getJoin(), target));
        }
        if (b instanceof io.djlquant.qat.Residual) {
            io.djlquant.qat.Residual r = (io.djlquant.qat.Residual) b;
            return new HookedResidual(
                    rebuild(r.getMain(), target),
                    rebuild(r.getShortcut(), target),
                    rebuild(r.getJoin(), target));
        }
        return b;
    }

    /** A layer whose input goes to the hook first. */
    private final class Hooked extends AbstractBlock {

        private final Block layer;

        Hooked(Block layer) {
            this.layer = layer;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            hook.before(layer, inputs.head());
            return layer.forward(ps, inputs, training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return layer.getOutputShapes(inputShapes);
        }
    }

    /** join(main(x), shortcut(x)), the forward of the Residual blocks. */
    private static final class HookedResidual extends AbstractBlock {

        private final Block main;
        private final Block shortcut;
        private final Block join;

        HookedResidual(Block main, Block shortcut, Block join) {
            this.main = main;
            this.shortcut = shortcut;
            this.join = join;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            NDList a = main.forward(ps, inputs, training, params);
            NDList b = shortcut.forward(ps, inputs, training, params);
            return join.forward(ps, new NDList(a.head(), b.head()), training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return join.getOutputShapes(
                    new Shape[] {
                        main.getOutputShapes(inputShapes)[0],
                        shortcut.getOutputShapes(inputShapes)[0]
                    });
        }
    }
}
