package io.djlquant.quantization.convert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.djlquant.qat.WeightedQatBlock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Empirical bias correction (as in DFQ, Nagel et al. 2019, and AIMET): quantized weights and inputs
 * shift the mean of a layer's output, an error that every later layer inherits. After calibration,
 * for each quantized conv/linear layer in execution order, the mean over the calibration data of
 * (QFloat output - Float output) per output channel, taken before the ReLU, is subtracted from that
 * layer's bias, so the expected error of that channel becomes zero. Layers are corrected one after
 * the other: the QFloat statistics of a layer are measured with all layers before it already
 * corrected.
 *
 * <p>The bias moved is the batch norm's beta (the folded bias moves by the same amount) or the
 * layer bias; a layer with neither is left as it is and reported. The QFloat tree shares its
 * parameters with the float tree, so the correction changes the float tree too (take a {@link
 * ParameterSnapshot} first to keep the original); {@code Quantizer.quantize} carries it into Q.
 */
public final class BiasCorrection {

    /**
     * One layer's correction.
     *
     * @param path the layer's path in the QFloat tree
     * @param channels the output channels
     * @param meanAbsShift the mean over channels of |mean error| that was removed
     * @param corrected false if the layer has no bias or batch norm to move
     */
    public record Layer(String path, int channels, double meanAbsShift, boolean corrected) {}

    /**
     * What was done.
     *
     * @param layers one entry per quantized conv/linear layer, in execution order
     */
    public record Result(List<Layer> layers) {
        /**
         * @return a one-line summary
         */
        public String summary() {
            int done = 0;
            double sum = 0;
            for (Layer l : layers) {
                if (l.corrected()) {
                    done++;
                    sum += l.meanAbsShift();
                }
            }
            return String.format(
                    Locale.ROOT,
                    "bias correction: %d of %d layers corrected, mean |channel shift| %.4g",
                    done,
                    layers.size(),
                    done == 0 ? 0.0 : sum / done);
        }
    }

    private BiasCorrection() {}

    /**
     * Corrects the biases of a calibrated QFloat tree.
     *
     * @param floatTree the float tree the QFloat tree was converted from (shares its parameters)
     * @param qfloat the calibrated QFloat tree (observers off, fake quant on)
     * @param batches calibration inputs (N x ...), not closed
     * @return the corrections
     * @throws IllegalArgumentException for null arguments, no batch, a tree without quantized
     *     layers, layers not shared with {@code floatTree}, or an uncalibrated tree
     */
    public static Result correct(Block floatTree, Block qfloat, List<NDArray> batches) {
        if (floatTree == null || qfloat == null || batches == null) {
            throw new IllegalArgumentException(
                    "BiasCorrection needs a float tree, a QFloat tree and batches");
        }
        if (batches.isEmpty()) {
            throw new IllegalArgumentException("BiasCorrection needs at least one batch");
        }
        Map<String, WeightedQatBlock> layers = PtqLayers.calibratedLayers(qfloat, "BiasCorrection");
        Map<Block, WeightedQatBlock> byFloat = new IdentityHashMap<>();
        for (WeightedQatBlock l : layers.values()) {
            byFloat.put(l.getFloatBlock(), l);
        }
        Quantizer.enableObserver(qfloat, false);
        // reference: every layer's float pre-activation means, one pass of the unchanged float tree
        Map<WeightedQatBlock, ChannelMeans> reference = new IdentityHashMap<>();
        Set<Block> floatTargets = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        floatTargets.addAll(byFloat.keySet());
        ForwardHooks floatPass =
                new ForwardHooks(
                        floatTree,
                        floatTargets,
                        (layer, x) -> {
                            WeightedQatBlock q = byFloat.get(layer);
                            reference.computeIfAbsent(q, k -> new ChannelMeans()).add(q, x, false);
                        });
        for (NDArray x : batches) {
            floatPass.run(x);
        }
        List<Layer> out = new ArrayList<>();
        for (Map.Entry<String, WeightedQatBlock> e : layers.entrySet()) {
            WeightedQatBlock layer = e.getValue();
            ChannelMeans ref = reference.get(layer);
            if (ref == null) {
                throw new IllegalArgumentException(
                        "layer '"
                                + BlockTree.display(e.getKey())
                                + "' did not run in the float tree: is the QFloat tree converted"
                                + " from it?");
            }
            ChannelMeans quantized = new ChannelMeans();
            ForwardHooks pass =
                    new ForwardHooks(
                            qfloat,
                            Set.of(layer),
                            (l, x) -> {
                                quantized.add(layer, x, true);
                                // the layers after this one are corrected in later passes
                                throw new ForwardHooks.Stop();
                            });
            for (NDArray x : batches) {
                pass.run(x);
            }
            double[] shift = quantized.minus(ref);
            out.add(apply(e.getKey(), layer, shift));
        }
        return new Result(out);
    }

    private static Layer apply(String path, WeightedQatBlock layer, double[] shift) {
        double abs = 0;
        float[] f = new float[shift.length];
        for (int i = 0; i < shift.length; i++) {
            abs += Math.abs(shift[i]);
            f[i] = (float) shift[i];
        }
        abs /= shift.length;
        Parameter p = layer.shiftParameter();
        if (p == null) {
            return new Layer(path, shift.length, abs, false);
        }
        NDArray bias = p.getArray();
        try (NDManager scope = bias.getManager().newSubManager()) {
            NDArray v = bias.stopGradient();
            v.attach(scope);
            ParameterSnapshot.set(p, v.sub(scope.create(f)));
        }
        return new Layer(path, shift.length, abs, true);
    }

    /** Per-channel sums of a layer's pre-activation output over batches. */
    private static final class ChannelMeans {
        private double[] sum;
        private long count;

        void add(WeightedQatBlock layer, NDArray x, boolean quantized) {
            try (NDScope scope = new NDScope()) {
                NDArray y = layer.preActivation(x, quantized);
                int c = (int) y.getShape().get(1);
                float[] s = y.swapAxes(0, 1).reshape(c, -1).sum(new int[] {1}).toFloatArray();
                if (sum == null) {
                    sum = new double[c];
                }
                for (int i = 0; i < c; i++) {
                    sum[i] += s[i];
                }
                count += y.getShape().size() / c;
            }
        }

        double[] minus(ChannelMeans ref) {
            double[] d = new double[sum.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = sum[i] / count - ref.sum[i] / ref.count;
            }
            return d;
        }
    }
}
