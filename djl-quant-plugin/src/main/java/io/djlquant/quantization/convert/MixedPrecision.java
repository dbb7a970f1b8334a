package io.djlquant.quantization.convert;

import ai.djl.nn.Block;
import io.djlquant.qat.WeightedQatBlock;
import io.djlquant.quantization.QConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy-aware mixed precision: finds the fewest layers to keep in float so that the quantized
 * model stays within an accuracy budget of the float model (the search TensorRT and Intel Neural
 * Compressor run as "accuracy-driven tuning").
 *
 * <p>Steps: (1) the float accuracy and the all-quantized accuracy; stop if within budget. (2)
 * Sensitivity of every weighted layer, leave-one-out: in the calibrated QFloat tree, that layer's
 * weight fake quant is switched off (its input and output stay quantized, which is exactly what a
 * {@code FloatFallback} keeps) and the accuracy measured; layers are ranked by the accuracy they
 * give back. (3) The k most sensitive layers are kept in float ({@link QConfigOverrides} with a
 * {@code null} QConfig), the tree converted and calibrated again, for k = 1, 2, ... until the
 * budget is met or {@code maxFloatLayers} is reached. The chosen tree converts to an int8 model
 * with those layers as {@code FloatFallback}s, which run in Java and save in {@code .jq} files.
 */
public final class MixedPrecision {

    private MixedPrecision() {}

    /** Brings a freshly converted QFloat tree to the state it will be quantized in. */
    @FunctionalInterface
    public interface Preparation {
        /**
         * Calibrates (PTQ) or fine-tunes (QAT) the tree; afterwards observers are off and fake
         * quant on, as after {@link Quantizer#calibrate}.
         *
         * @param qfloat the QFloat tree
         * @throws Exception if the data cannot be read
         */
        void prepare(Block qfloat) throws Exception;
    }

    /** The user's accuracy measure (higher is better), e.g. top-1 on a validation set. */
    @FunctionalInterface
    public interface Accuracy {
        /**
         * Evaluates a model in inference mode.
         *
         * @param model the float or QFloat model
         * @return the accuracy, e.g. in [0, 1]
         * @throws Exception if the data cannot be read
         */
        double of(Block model) throws Exception;
    }

    /**
     * One layer's sensitivity.
     *
     * @param path the layer's path in the float model (usable with {@link
     *     QConfigOverrides#forPath})
     * @param accuracy the QFloat accuracy with only this layer's weights in float
     */
    public record Sensitivity(String path, double accuracy) {}

    /**
     * One tried configuration.
     *
     * @param floatLayers the layers kept in float
     * @param accuracy its QFloat accuracy
     */
    public record Trial(List<String> floatLayers, double accuracy) {}

    /**
     * The outcome of a search.
     *
     * @param floatAccuracy the float model's accuracy
     * @param maxDrop the budget
     * @param sensitivities the layers, most sensitive first (empty if no search was needed)
     * @param trials every configuration tried, the all-quantized one first
     * @param qfloat the prepared QFloat tree of the last trial (the chosen one)
     * @param overrides the overrides that produce it
     */
    public record Result(
            double floatAccuracy,
            double maxDrop,
            List<Sensitivity> sensitivities,
            List<Trial> trials,
            Block qfloat,
            QConfigOverrides overrides) {

        /**
         * @return the chosen configuration (the last trial)
         */
        public Trial chosen() {
            return trials.get(trials.size() - 1);
        }

        /**
         * @return whether the chosen configuration is within the budget
         */
        public boolean budgetMet() {
            return floatAccuracy - chosen().accuracy() <= maxDrop;
        }

        /**
         * @return a readable report of the search
         */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "float accuracy %.4f, budget: drop <= %.4f%n",
                            floatAccuracy,
                            maxDrop));
            if (!sensitivities.isEmpty()) {
                sb.append("sensitivity (accuracy with only this layer's weights in float):\n");
                for (Sensitivity s : sensitivities) {
                    sb.append(String.format(Locale.ROOT, "  %.4f  %s%n", s.accuracy(), s.path()));
                }
            }
            for (Trial t : trials) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "%2d in float: accuracy %.4f (drop %.4f) %s%n",
                                t.floatLayers().size(),
                                t.accuracy(),
                                floatAccuracy - t.accuracy(),
                                t.floatLayers()));
            }
            sb.append(budgetMet() ? "budget met" : "budget NOT met within the layer limit");
            return sb.append('\n').toString();
        }
    }

    /**
     * Runs the search.
     *
     * @param floatModel the initialized float model (prepared: fused, with stubs); it is shared by
     *     every QFloat tree tried and not modified by PTQ preparations
     * @param qconfig the QConfig of the quantized layers
     * @param preparation calibrates (or fine-tunes) a QFloat tree
     * @param accuracy the accuracy measure
     * @param maxDrop the largest acceptable accuracy drop (same unit as the measure, &gt;= 0)
     * @param maxFloatLayers the most layers to keep in float (&gt;= 0)
     * @return the result; {@link Result#qfloat()} converts with {@code Quantizer.quantize}
     * @throws Exception if the preparation or the accuracy measure fails
     */
    public static Result search(
            Block floatModel,
            QConfig qconfig,
            Preparation preparation,
            Accuracy accuracy,
            double maxDrop,
            int maxFloatLayers)
            throws Exception {
        if (floatModel == null || qconfig == null || preparation == null || accuracy == null) {
            throw new IllegalArgumentException(
                    "mixed-precision search needs a float model, a QConfig, a preparation and an"
                            + " accuracy measure");
        }
        if (!(maxDrop >= 0) || maxFloatLayers < 0) {
            throw new IllegalArgumentException(
                    "maxDrop must be >= 0 and maxFloatLayers >= 0, got "
                            + maxDrop
                            + " and "
                            + maxFloatLayers);
        }
        double floatAccuracy = accuracy.of(floatModel);
        List<Trial> trials = new ArrayList<>();
        Block qfloat = Quantizer.quantizeQat(floatModel, qconfig);
        preparation.prepare(qfloat);
        double all = accuracy.of(qfloat);
        trials.add(new Trial(List.of(), all));
        if (floatAccuracy - all <= maxDrop || maxFloatLayers == 0) {
            return new Result(
                    floatAccuracy, maxDrop, List.of(), trials, qfloat, QConfigOverrides.none());
        }
        List<Sensitivity> ranked = rank(qfloat, accuracy);
        // each trial keeps one more layer in float: the rules only grow
        QConfigOverrides overrides = QConfigOverrides.none();
        List<String> kept = new ArrayList<>();
        for (int k = 0; k < Math.min(maxFloatLayers, ranked.size()); k++) {
            kept.add(ranked.get(k).path());
            overrides.forPath(ranked.get(k).path(), null);
            qfloat = Quantizer.quantizeQat(floatModel, qconfig, overrides);
            preparation.prepare(qfloat);
            double acc = accuracy.of(qfloat);
            trials.add(new Trial(List.copyOf(kept), acc));
            if (floatAccuracy - acc <= maxDrop) {
                break;
            }
        }
        return new Result(floatAccuracy, maxDrop, ranked, trials, qfloat, overrides);
    }

    /** Leave-one-out: each weighted layer's weights in float, in the calibrated tree. */
    private static List<Sensitivity> rank(Block qfloat, Accuracy accuracy) throws Exception {
        Map<String, WeightedQatBlock> layers = BlockTree.find(qfloat, WeightedQatBlock.class);
        List<Sensitivity> out = new ArrayList<>();
        for (WeightedQatBlock layer : layers.values()) {
            boolean was = layer.getWeightFakeQuant().isFakeQuantEnabled();
            layer.getWeightFakeQuant().enableFakeQuant(false);
            try {
                out.add(new Sensitivity(layer.getBlockPath(), accuracy.of(qfloat)));
            } finally {
                layer.getWeightFakeQuant().enableFakeQuant(was);
            }
        }
        out.sort(Comparator.comparingDouble(Sensitivity::accuracy).reversed());
        return out;
    }
}
