package io.djlquant.quantization.convert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import io.djlquant.nn.BnFolding;
import io.djlquant.nn.FusedConv2d;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization
 * and Bias Correction") on a float tree: for two convolutions in a row, {@code conv1 -> (ReLU) ->
 * conv2}, output channel {@code i} of conv1 is divided by {@code s_i} and input channel {@code i}
 * of conv2 multiplied by it, with {@code s_i = sqrt(r1_i / r2_i)} and {@code r} the largest
 * absolute weight of that channel after batch-norm folding. Both channels end with range {@code
 * sqrt(r1_i * r2_i)}, so a per-tensor weight scale no longer wastes its levels on the few wide
 * channels (depthwise convolutions are the classic case). Chains of three or more are equalized
 * pair by pair, a few sweeps, since the middle layer takes part in two pairs.
 *
 * <p>Where the folded output of conv1 is scaled: with batch norm, gamma and beta (the folded weight
 * and bias scale with them); without, the convolution weight and bias. The float function is
 * unchanged because {@code relu(x / s) = relu(x) / s} for {@code s > 0} and a convolution is linear
 * in each input channel (zero padding stays zero).
 *
 * <p>ReLU6 is not positively homogeneous: {@code min(x / s, 6) != min(x, 6) / s}. A pair whose
 * first convolution ends with ReLU6 (MobileNetV2's expand and depthwise layers) is therefore
 * skipped by default and counted; {@link Relu6#EQUALIZE} equalizes it anyway, which moves the clamp
 * of channel {@code i} to {@code 6 * s_i} in the original units: an approximation whose effect on
 * the float model must be measured (DFQ replaces ReLU6 by ReLU for the same reason).
 *
 * <p>Pairs are adjacent float convolutions of one SequentialBlock, looking through nested
 * SequentialBlocks; a Residual (its join needs both branches in one scale) ends a chain, its
 * branches are chains of their own. Run it on the float tree before {@code Quantizer.quantizeQat}.
 */
public final class CrossLayerEqualization {

    /** What to do with pairs whose first convolution ends with ReLU6. */
    public enum Relu6 {
        /** Leave them alone: the float function is exactly preserved. */
        SKIP,
        /** Equalize them too: the clamp moves per channel, the float function changes. */
        EQUALIZE
    }

    /**
     * What was done.
     *
     * @param pairs the pairs equalized
     * @param skippedRelu6 the pairs skipped because conv1 ends with ReLU6
     * @param spreadBefore mean over equalized pairs of max/min per-channel weight range of conv1,
     *     before
     * @param spreadAfter the same after equalization
     */
    public record Result(int pairs, int skippedRelu6, double spreadBefore, double spreadAfter) {
        /**
         * @return a one-line summary
         */
        public String summary() {
            return String.format(
                    Locale.ROOT,
                    "CLE: %d conv pairs equalized, %d ReLU6 pairs skipped, conv1 channel-range"
                            + " spread %.1f -> %.1f",
                    pairs,
                    skippedRelu6,
                    spreadBefore,
                    spreadAfter);
        }
    }

    private CrossLayerEqualization() {}

    /**
     * Equalizes every eligible pair with 4 sweeps, skipping ReLU6 pairs.
     *
     * @param floatTree the float tree (parameters are changed in place)
     * @return what was done
     */
    public static Result equalize(Block floatTree) {
        return equalize(floatTree, 4, Relu6.SKIP);
    }

    /**
     * Equalizes every eligible pair.
     *
     * @param floatTree the float tree, initialized (parameters are changed in place)
     * @param sweeps how many times to go over all pairs (&gt; 0)
     * @param relu6 what to do with ReLU6 pairs
     * @return what was done
     * @throws IllegalArgumentException for a null or uninitialized tree, sweeps &lt;= 0 or null
     *     policy
     */
    public static Result equalize(Block floatTree, int sweeps, Relu6 relu6) {
        if (floatTree == null || relu6 == null) {
            throw new IllegalArgumentException(
                    "CrossLayerEqualization needs a float tree and a ReLU6 policy");
        }
        if (sweeps <= 0) {
            throw new IllegalArgumentException("sweeps must be > 0, got " + sweeps);
        }
        if (!floatTree.isInitialized()) {
            throw new IllegalArgumentException(
                    "the float tree is not initialized; train or load it first");
        }
        List<FusedConv2d[]> pairs = new ArrayList<>();
        int[] skipped = new int[1];
        collect(floatTree, pairs, skipped, relu6);
        if (pairs.isEmpty()) {
            return new Result(0, skipped[0], 1, 1);
        }
        double before = spread(pairs);
        for (int s = 0; s < sweeps; s++) {
            for (FusedConv2d[] p : pairs) {
                equalizePair(p[0], p[1]);
            }
        }
        return new Result(pairs.size(), skipped[0], before, spread(pairs));
    }

    /** Finds the chains in every SequentialBlock (flattened) and in Residual branches. */
    private static void collect(Block b, List<FusedConv2d[]> pairs, int[] skipped, Relu6 relu6) {
        if (b.getClass() == SequentialBlock.class) {
            List<Block> chain = new ArrayList<>();
            flatten(b, chain, pairs, skipped, relu6);
            for (int i = 0; i + 1 < chain.size(); i++) {
                if (chain.get(i) instanceof FusedConv2d
                        && chain.get(i + 1) instanceof FusedConv2d) {
                    FusedConv2d c1 = (FusedConv2d) chain.get(i);
                    FusedConv2d c2 = (FusedConv2d) chain.get(i + 1);
                    if (!matches(c1, c2)) {
                        continue;
                    }
                    if (c1.hasRelu6() && relu6 == Relu6.SKIP) {
                        skipped[0]++;
                    } else {
                        pairs.add(new FusedConv2d[] {c1, c2});
                    }
                }
            }
            return;
        }
        if (b instanceof io.djlquant.nn.Residual) {
            io.djlquant.nn.Residual r = (io.djlquant.nn.Residual) b;
            collect(r.getMain(), pairs, skipped, relu6);
            collect(r.getShortcut(), pairs, skipped, relu6);
        }
    }

    /** Leaves of nested SequentialBlocks in order; other containers are leaves (and searched). */
    private static void flatten(
            Block b, List<Block> chain, List<FusedConv2d[]> pairs, int[] skipped, Relu6 relu6) {
        for (Pair<String, Block> c : b.getChildren()) {
            Block child = c.getValue();
            if (child.getClass() == SequentialBlock.class) {
                flatten(child, chain, pairs, skipped, relu6);
            } else {
                if (child instanceof io.djlquant.nn.Residual) {
                    collect(child, pairs, skipped, relu6);
                }
                chain.add(child);
            }
        }
    }

    private static boolean matches(FusedConv2d c1, FusedConv2d c2) {
        Shape w2 = c2.getWeight().getArray().getShape();
        return c1.getFilters() == w2.get(1) * c2.getGroups();
    }

    private static void equalizePair(FusedConv2d c1, FusedConv2d c2) {
        NDManager m = c1.getWeight().getArray().getManager();
        try (NDManager scope = m.newSubManager()) {
            NDArray r1 = outputRanges(c1, scope);
            NDArray r2 = inputRanges(c2, scope);
            // s = sqrt(r1 / r2); a dead channel on either side keeps s = 1 (nothing to balance)
            NDArray ok = r1.gt(0f).logicalAnd(r2.gt(0f));
            NDArray s = r1.div(r2.maximum(1e-30f)).sqrt();
            s = ai.djl.ndarray.NDArrays.where(ok, s, scope.ones(s.getShape()));
            scaleOutputs(c1, s.pow(-1f), scope);
            scaleInputs(c2, s, scope);
        }
    }

    /**
     * Mean over the pairs' first convolutions of (largest / smallest non-zero channel range): how
     * unevenly a per-tensor weight scale would be used.
     */
    static double spread(List<FusedConv2d[]> pairs) {
        double sum = 0;
        for (FusedConv2d[] p : pairs) {
            sum += spread(p[0]);
        }
        return sum / pairs.size();
    }

    /**
     * Largest over smallest non-zero per-output-channel range of a convolution's folded weight.
     *
     * @param c the convolution
     * @return the ratio (1 if all ranges are equal or zero)
     */
    static double spread(FusedConv2d c) {
        NDManager m = c.getWeight().getArray().getManager();
        float[] r;
        try (NDManager scope = m.newSubManager()) {
            r = outputRanges(c, scope).toFloatArray();
        }
        float max = 0f;
        float min = Float.MAX_VALUE;
        for (float v : r) {
            if (v > 0f) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
        }
        return max == 0f ? 1.0 : max / (double) min;
    }

    /** Largest |w| per output channel of the batch-norm-folded weight. */
    private static NDArray outputRanges(FusedConv2d c, NDManager scope) {
        NDArray w = folded(c, scope);
        long o = w.getShape().get(0);
        return w.abs().reshape(o, -1).max(new int[] {1});
    }

    /**
     * Largest |w| per input channel of the folded weight (groups: channel i is in group i / (I/g)).
     */
    private static NDArray inputRanges(FusedConv2d c, NDManager scope) {
        NDArray w = folded(c, scope);
        Shape s = w.getShape();
        long g = c.getGroups();
        long perGroupOut = s.get(0) / g;
        long perGroupIn = s.get(1);
        NDArray a = w.abs().reshape(g, perGroupOut, perGroupIn, -1);
        return a.max(new int[] {3}).max(new int[] {1}).reshape(g * perGroupIn);
    }

    private static NDArray folded(FusedConv2d c, NDManager scope) {
        NDArray w = c.getWeight().getArray().stopGradient();
        w.attach(scope);
        if (!c.hasBatchNorm()) {
            return w;
        }
        NDArray gamma = c.getBatchNormParameter("gamma").getArray().stopGradient();
        NDArray var = c.getBatchNormParameter("runningVar").getArray().stopGradient();
        gamma.attach(scope);
        var.attach(scope);
        return BnFolding.foldWeight(w, BnFolding.factor(gamma, var, c.getEpsilon()));
    }

    /** Multiplies the folded output channel i by f_i. */
    private static void scaleOutputs(FusedConv2d c, NDArray f, NDManager scope) {
        if (c.hasBatchNorm()) {
            // folded W and b are linear in (gamma, beta): scaling both scales the folded output
            scale(c.getBatchNormParameter("gamma"), f, scope);
            scale(c.getBatchNormParameter("beta"), f, scope);
            return;
        }
        NDArray w = c.getWeight().getArray();
        long[] b = new long[w.getShape().dimension()];
        java.util.Arrays.fill(b, 1);
        b[0] = w.getShape().get(0);
        scale(c.getWeight(), f.reshape(new Shape(b)), scope);
        if (c.getBias() != null) {
            scale(c.getBias(), f, scope);
        }
    }

    /** Multiplies input channel i of the weight by s_i. */
    private static void scaleInputs(FusedConv2d c, NDArray s, NDManager scope) {
        Shape ws = c.getWeight().getArray().getShape();
        long g = c.getGroups();
        long perGroupOut = ws.get(0) / g;
        long perGroupIn = ws.get(1);
        // (g, I/g) -> one row per output channel of its group: (O, I/g, 1, 1)
        NDArray perOut =
                s.reshape(g, 1, perGroupIn)
                        .repeat(1, perGroupOut)
                        .reshape(ws.get(0), perGroupIn, 1, 1);
        scale(c.getWeight(), perOut, scope);
    }

    private static void scale(ai.djl.nn.Parameter p, NDArray f, NDManager scope) {
        NDArray v = p.getArray().stopGradient();
        v.attach(scope);
        ParameterSnapshot.set(p, v.mul(f));
    }
}
