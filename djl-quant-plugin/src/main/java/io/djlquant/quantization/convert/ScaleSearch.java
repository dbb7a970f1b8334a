package io.djlquant.quantization.convert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import io.djlquant.qat.WeightedQatBlock;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.observer.MinMaxObserver;
import io.djlquant.quantization.observer.Observer;
import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Per-layer search of the quantization range (EasyQuant-style, Wu et al. 2020; MSE clipping as in
 * TensorRT/OpenVINO): min/max calibration spends the integer levels on the rare extreme values; a
 * slightly clipped range rounds the bulk of the values finer. For every quantized conv/linear layer
 * of a calibrated QFloat tree, the observer's range is multiplied by each candidate factor (default
 * 1.0, 0.95, ..., 0.5) and the factor that best matches, on the calibration data, is kept:
 *
 * <ol>
 *   <li>weights: the layer's pre-activation output with the fake-quantized weight (and int32 bias)
 *       against the same layer in float, on the layer's QFloat input;
 *   <li>then outputs: the layer's fake-quantized output activation against the activation it
 *       quantizes (stubs and residual joins keep their calibrated ranges).
 * </ol>
 *
 * The match is the summed squared error ({@link Objective#MSE}) or the cosine similarity ({@link
 * Objective#COSINE}, EasyQuant's) over all batches. All layers are searched in one pass per stage,
 * each on the input the calibrated network gives it. The factors are written into the observers'
 * ranges ({@code setRange}), so {@code Quantizer.quantize} builds Q from exactly the searched
 * parameters and QFloat and Q still agree. Only min/max observers ({@link MinMaxObserver} and its
 * moving-average form, {@link PerChannelMinMaxObserver}) have a range to scale; layers with other
 * observers (e.g. the histogram activations of {@code QConfigs.calibration()}) keep theirs and are
 * reported as skipped.
 */
public final class ScaleSearch {

    /** How a candidate is scored against the float result. */
    public enum Objective {
        /** Smallest summed squared error. */
        MSE,
        /** Largest cosine similarity of the flattened outputs (EasyQuant). */
        COSINE
    }

    /**
     * One searched quantizer.
     *
     * @param path the layer's path
     * @param quantizer "weight" or "output"
     * @param factor the chosen range factor (1 = calibrated range), NaN if skipped
     * @param before the score at factor 1 (MSE per element, or cosine)
     * @param after the score at the chosen factor
     */
    public record Choice(String path, String quantizer, float factor, double before, double after) {
        /**
         * @return whether the layer's observer could not be searched
         */
        public boolean skipped() {
            return Float.isNaN(factor);
        }
    }

    /**
     * The choices.
     *
     * @param objective the objective used
     * @param choices one per layer and quantizer, weights first
     */
    public record Result(Objective objective, List<Choice> choices) {
        /**
         * @return a one-line summary
         */
        public String summary() {
            int[] n = new int[4];
            double[] sum = new double[2];
            for (Choice c : choices) {
                int k = c.quantizer().equals("weight") ? 0 : 1;
                if (c.skipped()) {
                    n[k + 2]++;
                } else {
                    n[k]++;
                    sum[k] += c.factor();
                }
            }
            return String.format(
                    Locale.ROOT,
                    "scale search (%s): %d weight ranges (mean factor %.3f), %d output ranges (mean"
                            + " factor %.3f), %d/%d skipped (observer without a min/max range)",
                    objective,
                    n[0],
                    n[0] == 0 ? 1.0 : sum[0] / n[0],
                    n[1],
                    n[1] == 0 ? 1.0 : sum[1] / n[1],
                    n[2],
                    n[3]);
        }
    }

    /** The default candidates: 1.0 down to 0.5 in steps of 0.05. */
    public static float[] defaultFactors() {
        float[] f = new float[11];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1f - 0.05f * i;
        }
        return f;
    }

    private ScaleSearch() {}

    /**
     * Searches weight and output ranges with the default factors and MSE.
     *
     * @param qfloat the calibrated QFloat tree (changed in place)
     * @param batches calibration inputs, not closed
     * @return the choices
     */
    public static Result search(Block qfloat, List<NDArray> batches) {
        return search(qfloat, batches, defaultFactors(), Objective.MSE, true, true);
    }

    /**
     * Searches the ranges of a calibrated QFloat tree; its observers are switched off.
     *
     * @param qfloat the calibrated QFloat tree (observer ranges are changed in place)
     * @param batches calibration inputs (N x ...), not closed
     * @param factors candidate range factors (finite, &gt; 0; below 1 clips, 1 is the calibrated
     *     range)
     * @param objective the score
     * @param weights whether to search weight ranges
     * @param outputs whether to search output activation ranges
     * @return the choices
     * @throws IllegalArgumentException for null or empty arguments, a factor that is not finite and
     *     positive, nothing to search, or an uncalibrated tree
     */
    public static Result search(
            Block qfloat,
            List<NDArray> batches,
            float[] factors,
            Objective objective,
            boolean weights,
            boolean outputs) {
        if (qfloat == null || batches == null || factors == null || objective == null) {
            throw new IllegalArgumentException(
                    "ScaleSearch needs a QFloat tree, batches, factors and an objective");
        }
        if (batches.isEmpty() || factors.length == 0) {
            throw new IllegalArgumentException(
                    "ScaleSearch needs at least one batch and one factor");
        }
        for (float f : factors) {
            if (!(Float.isFinite(f) && f > 0f)) {
                throw new IllegalArgumentException(
                        "range factors must be finite and > 0, got " + f);
            }
        }
        if (!weights && !outputs) {
            throw new IllegalArgumentException("ScaleSearch: choose weights, outputs or both");
        }
        Map<String, WeightedQatBlock> layers = PtqLayers.calibratedLayers(qfloat, "ScaleSearch");
        Quantizer.enableObserver(qfloat, false);
        List<Choice> out = new ArrayList<>();
        if (weights) {
            out.addAll(stage(qfloat, layers, batches, factors, objective, true));
        }
        if (outputs) {
            out.addAll(stage(qfloat, layers, batches, factors, objective, false));
        }
        return new Result(objective, out);
    }

    private static List<Choice> stage(
            Block qfloat,
            Map<String, WeightedQatBlock> layers,
            List<NDArray> batches,
            float[] factors,
            Objective objective,
            boolean weight) {
        Map<WeightedQatBlock, Scores> scores = new IdentityHashMap<>();
        Map<WeightedQatBlock, Range> ranges = new IdentityHashMap<>();
        for (WeightedQatBlock l : layers.values()) {
            FakeQuantizeBase fq = weight ? l.getWeightFakeQuant() : l.getOutputFakeQuant();
            Range r = Range.of(fq);
            if (r != null) {
                ranges.put(l, r);
                scores.put(l, new Scores(factors.length));
            }
        }
        Set<Block> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        targets.addAll(ranges.keySet());
        ForwardHooks pass =
                new ForwardHooks(
                        qfloat,
                        targets,
                        (b, x) -> {
                            WeightedQatBlock l = (WeightedQatBlock) b;
                            Range r = ranges.get(l);
                            try (NDScope scope = new NDScope()) {
                                NDArray ref;
                                if (weight) {
                                    ref = l.preActivation(x, false);
                                } else {
                                    ref = activation(l, l.preActivation(x, true));
                                }
                                for (int i = 0; i < factors.length; i++) {
                                    r.scale(factors[i]);
                                    NDArray cand =
                                            weight
                                                    ? l.preActivation(x, true)
                                                    : l.getOutputFakeQuant()
                                                            .apply(null, ref, false);
                                    scores.get(l).add(i, ref, cand);
                                }
                            } finally {
                                // the rest of the network runs with the calibrated range
                                r.scale(1f);
                            }
                        });
        for (NDArray x : batches) {
            pass.run(x);
        }
        List<Choice> out = new ArrayList<>();
        int one = indexOfOne(factors);
        for (Map.Entry<String, WeightedQatBlock> e : layers.entrySet()) {
            String q = weight ? "weight" : "output";
            Range r = ranges.get(e.getValue());
            if (r == null) {
                out.add(new Choice(e.getKey(), q, Float.NaN, Double.NaN, Double.NaN));
                continue;
            }
            Scores s = scores.get(e.getValue());
            int best = s.best(objective);
            r.scale(factors[best]);
            out.add(
                    new Choice(
                            e.getKey(),
                            q,
                            factors[best],
                            one < 0 ? Double.NaN : s.score(one, objective),
                            s.score(best, objective)));
        }
        return out;
    }

    private static NDArray activation(WeightedQatBlock l, NDArray y) {
        if (!l.hasRelu()) {
            return y;
        }
        return l.hasRelu6() ? Activation.relu6(y) : Activation.relu(y);
    }

    private static int indexOfOne(float[] factors) {
        for (int i = 0; i < factors.length; i++) {
            if (factors[i] == 1f) {
                return i;
            }
        }
        return -1;
    }

    /** Error sums of every candidate of one layer. */
    private static final class Scores {
        private final double[] sq;
        private final double[] dot;
        private final double[] candNorm;
        private double refNorm;
        private long count;

        Scores(int n) {
            sq = new double[n];
            dot = new double[n];
            candNorm = new double[n];
        }

        void add(int i, NDArray ref, NDArray cand) {
            NDArray d = cand.sub(ref);
            sq[i] += d.mul(d).sum().getFloat();
            dot[i] += ref.mul(cand).sum().getFloat();
            candNorm[i] += cand.mul(cand).sum().getFloat();
            if (i == 0) {
                refNorm += ref.mul(ref).sum().getFloat();
                count += ref.size();
            }
        }

        double score(int i, Objective o) {
            if (o == Objective.MSE) {
                return sq[i] / count;
            }
            double den = Math.sqrt(refNorm * candNorm[i]);
            return den == 0 ? 1.0 : dot[i] / den;
        }

        int best(Objective o) {
            int best = 0;
            for (int i = 1; i < sq.length; i++) {
                boolean better =
                        o == Objective.MSE
                                ? score(i, o) < score(best, o)
                                : score(i, o) > score(best, o);
                if (better) {
                    best = i;
                }
            }
            return best;
        }
    }

    /** The calibrated range of a min/max observer, and a way to scale it. */
    private static final class Range {
        private final Observer observer;
        private final float[] min;
        private final float[] max;

        private Range(Observer observer, float[] min, float[] max) {
            this.observer = observer;
            this.min = min;
            this.max = max;
        }

        /**
         * @return the range, or null if the fake quant does not quantize or has no min/max observer
         */
        static Range of(FakeQuantizeBase fq) {
            if (!fq.isFakeQuantEnabled()) {
                return null;
            }
            Observer o = fq.getObserver();
            if (o instanceof MinMaxObserver) {
                MinMaxObserver m = (MinMaxObserver) o;
                return new Range(o, new float[] {m.getMin()}, new float[] {m.getMax()});
            }
            if (o instanceof PerChannelMinMaxObserver) {
                PerChannelMinMaxObserver m = (PerChannelMinMaxObserver) o;
                return new Range(o, m.getMin(), m.getMax());
            }
            return null;
        }

        void scale(float f) {
            if (observer instanceof MinMaxObserver) {
                ((MinMaxObserver) observer).setRange(min[0] * f, max[0] * f);
                return;
            }
            float[] a = new float[min.length];
            float[] b = new float[max.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = min[i] * f;
                b[i] = max[i] * f;
            }
            ((PerChannelMinMaxObserver) observer).setRange(a, b);
        }
    }
}
