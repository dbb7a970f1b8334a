package io.djlquant.quantization.convert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.Batchifier;
import io.djlquant.quantization.QConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Post-training quantization with the algorithms beyond plain calibration, in the order they build
 * on each other:
 *
 * <ol>
 *   <li>{@link CrossLayerEqualization} on the float tree (data-free; before conversion),
 *   <li>{@code Quantizer.quantizeQat} and {@code Quantizer.calibrate},
 *   <li>{@link ScaleSearch} of the weight and output ranges,
 *   <li>{@link BiasCorrection} last, so it removes the mean error of the final quantization.
 * </ol>
 *
 * <pre>{@code
 * PtqAlgorithms.Outcome o = PtqAlgorithms.quantize(
 *         floatNet, QConfigs.minMaxFakeQuant(), calibrationImages, PtqAlgorithms.Options.all());
 * Block q = Quantizer.quantize(o.qfloat());
 * }</pre>
 *
 * The float tree's parameters change (equalization, bias correction): take a {@link
 * ParameterSnapshot} first to compare several runs on one trained model.
 */
public final class PtqAlgorithms {

    /** Which algorithms run, and their settings. */
    public static final class Options {
        private boolean equalize;
        private CrossLayerEqualization.Relu6 relu6 = CrossLayerEqualization.Relu6.SKIP;
        private int sweeps = 4;
        private boolean scaleSearch;
        private ScaleSearch.Objective objective = ScaleSearch.Objective.MSE;
        private float[] factors = ScaleSearch.defaultFactors();
        private boolean biasCorrection;

        /**
         * @return options with nothing on (plain calibration)
         */
        public static Options none() {
            return new Options();
        }

        /**
         * @return options with equalization, scale search and bias correction on
         */
        public static Options all() {
            return new Options().equalize(true).scaleSearch(true).biasCorrection(true);
        }

        /**
         * Parses a '+'-separated list of {@code none}, {@code cle}, {@code cle6} (equalization that
         * also equalizes ReLU6 pairs, see {@link CrossLayerEqualization.Relu6#EQUALIZE}), {@code
         * bc}, {@code ss}, e.g. {@code "cle+bc"}.
         *
         * @param spec the list
         * @return the options
         * @throws IllegalArgumentException for an unknown name
         */
        public static Options parse(String spec) {
            Options o = new Options();
            if (spec == null || spec.isBlank()) {
                throw new IllegalArgumentException(
                        "empty algorithm list; use none, cle, cle6, bc, ss joined by '+'");
            }
            for (String s : spec.split("\\+")) {
                switch (s.trim()) {
                    case "none" -> {}
                    case "cle" -> o.equalize(true);
                    case "cle6" ->
                            o.equalize(true)
                                    .equalization(CrossLayerEqualization.Relu6.EQUALIZE, o.sweeps);
                    case "bc" -> o.biasCorrection(true);
                    case "ss" -> o.scaleSearch(true);
                    default ->
                            throw new IllegalArgumentException(
                                    "unknown PTQ algorithm '"
                                            + s
                                            + "' in '"
                                            + spec
                                            + "'; use none, cle, cle6, bc, ss joined by '+'");
                }
            }
            return o;
        }

        /**
         * Turns cross-layer equalization on or off.
         *
         * @param on whether to equalize
         * @return this
         */
        public Options equalize(boolean on) {
            equalize = on;
            return this;
        }

        /**
         * Sets the ReLU6 policy and sweeps of cross-layer equalization.
         *
         * @param policy what to do with ReLU6 pairs
         * @param sweepCount sweeps over the pairs (&gt; 0)
         * @return this
         */
        public Options equalization(CrossLayerEqualization.Relu6 policy, int sweepCount) {
            if (policy == null || sweepCount <= 0) {
                throw new IllegalArgumentException(
                        "equalization needs a ReLU6 policy and sweeps > 0");
            }
            relu6 = policy;
            sweeps = sweepCount;
            return this;
        }

        /**
         * Turns the range search on or off.
         *
         * @param on whether to search
         * @return this
         */
        public Options scaleSearch(boolean on) {
            scaleSearch = on;
            return this;
        }

        /**
         * Sets the range search's objective and candidate factors.
         *
         * @param o the objective
         * @param candidates the factors (finite, &gt; 0)
         * @return this
         */
        public Options search(ScaleSearch.Objective o, float[] candidates) {
            if (o == null || candidates == null || candidates.length == 0) {
                throw new IllegalArgumentException(
                        "the scale search needs an objective and factors");
            }
            objective = o;
            factors = candidates.clone();
            return this;
        }

        /**
         * Turns bias correction on or off.
         *
         * @param on whether to correct
         * @return this
         */
        public Options biasCorrection(boolean on) {
            biasCorrection = on;
            return this;
        }

        /**
         * @return a short name, e.g. "CLE+SS+BC" or "none"
         */
        public String label() {
            List<String> l = new ArrayList<>();
            if (equalize) {
                l.add(relu6 == CrossLayerEqualization.Relu6.SKIP ? "CLE" : "CLE(relu6)");
            }
            if (scaleSearch) {
                l.add("SS");
            }
            if (biasCorrection) {
                l.add("BC");
            }
            return l.isEmpty() ? "none" : String.join("+", l);
        }
    }

    /**
     * What each algorithm did; null where it did not run.
     *
     * @param equalization the equalization result
     * @param scales the scale search result
     * @param bias the bias correction result
     */
    public record Report(
            CrossLayerEqualization.Result equalization,
            ScaleSearch.Result scales,
            BiasCorrection.Result bias) {
        /**
         * @return one line per algorithm that ran ("" for none)
         */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            if (equalization != null) {
                sb.append(equalization.summary()).append('\n');
            }
            if (scales != null) {
                sb.append(scales.summary()).append('\n');
            }
            if (bias != null) {
                sb.append(bias.summary()).append('\n');
            }
            return sb.toString();
        }
    }

    /**
     * The QFloat tree and the report.
     *
     * @param qfloat the calibrated QFloat tree, ready for {@code Quantizer.quantize}
     * @param report what the algorithms did
     */
    public record Outcome(Block qfloat, Report report) {}

    private PtqAlgorithms() {}

    /**
     * Equalizes (optionally), converts, calibrates, searches ranges and corrects biases
     * (optionally).
     *
     * @param floatTree the float tree, initialized (its parameters may change, see the class
     *     comment)
     * @param qconfig the recipe for {@code Quantizer.quantizeQat}
     * @param calibration calibration inputs (N x ...), used by every data-driven step, not closed
     * @param options the algorithms
     * @return the calibrated QFloat tree and the report
     * @throws IllegalArgumentException for null arguments or no calibration batch
     */
    public static Outcome quantize(
            Block floatTree, QConfig qconfig, List<NDArray> calibration, Options options) {
        if (floatTree == null || qconfig == null || calibration == null || options == null) {
            throw new IllegalArgumentException(
                    "PtqAlgorithms needs a float tree, a QConfig, calibration data and options");
        }
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("calibration set is empty");
        }
        CrossLayerEqualization.Result cle =
                options.equalize
                        ? CrossLayerEqualization.equalize(floatTree, options.sweeps, options.relu6)
                        : null;
        Block qfloat = Quantizer.quantizeQat(floatTree, qconfig);
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < calibration.size(); i++) {
            NDArray x = calibration.get(i);
            batches.add(
                    new Batch(
                            x.getManager(),
                            new NDList(x),
                            new NDList(x),
                            (int) x.getShape().get(0),
                            Batchifier.STACK,
                            Batchifier.STACK,
                            i,
                            calibration.size()));
        }
        Quantizer.calibrate(qfloat, batches, batches.size());
        ScaleSearch.Result ss =
                options.scaleSearch
                        ? ScaleSearch.search(
                                qfloat, calibration, options.factors, options.objective, true, true)
                        : null;
        BiasCorrection.Result bc =
                options.biasCorrection
                        ? BiasCorrection.correct(floatTree, qfloat, calibration)
                        : null;
        return new Outcome(qfloat, new Report(cle, ss, bc));
    }
}
