package io.djlquant.quantization.convert;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-layer error of the three forms of one network on the same inputs, from {@link
 * Quantizer#compare}: each layer's output in QFloat against Float (what quantization costs, errors
 * of earlier layers included, as PyTorch Numeric Suite's {@code compare_model_outputs}), in Q
 * against QFloat (what the int8 engine adds: near one quantization step when both agree), and in Q
 * against Float. A layer where the QFloat/Float SQNR falls much below that of the layer before it
 * is where accuracy is lost; keep it in float ({@link QConfigOverrides}) or give it more bits.
 */
public final class LayerComparison {

    /**
     * Error of one output against a reference over all compared images.
     *
     * @param sqnrDb 10 log10(sum ref^2 / sum (x - ref)^2); positive infinity when x equals ref
     * @param maxAbsError the largest |x - ref|
     * @param meanAbsError the mean |x - ref|
     */
    public record Errors(double sqnrDb, double maxAbsError, double meanAbsError) {

        /**
         * @return whether the output equals the reference exactly
         */
        public boolean exact() {
            return Double.isInfinite(sqnrDb) && sqnrDb > 0;
        }
    }

    /**
     * One layer's row.
     *
     * @param path the layer's path in the Float tree ({@link BlockTree} names)
     * @param block the Float layer's class simple name
     * @param qBlock the Q layer's class simple name
     * @param shape the output shape of the last compared batch
     * @param qfloatVsFloat QFloat against Float
     * @param qVsQfloat Q against QFloat
     * @param qVsFloat Q against Float
     */
    public record Layer(
            String path,
            String block,
            String qBlock,
            String shape,
            Errors qfloatVsFloat,
            Errors qVsQfloat,
            Errors qVsFloat) {}

    private final List<Layer> layers;
    private final int images;

    LayerComparison(List<Layer> layers, int images) {
        this.layers = Collections.unmodifiableList(new ArrayList<>(layers));
        this.images = images;
    }

    /**
     * @return the layers in execution order
     */
    public List<Layer> layers() {
        return layers;
    }

    /**
     * @return how many images were compared
     */
    public int images() {
        return images;
    }

    /**
     * The layer whose QFloat/Float SQNR falls furthest below that of the layer before it (in
     * execution order): where quantization loses the most.
     *
     * @return the layer, or null when no layer has a predecessor
     */
    public Layer largestDrop() {
        Layer best = null;
        double bestDrop = Double.NEGATIVE_INFINITY;
        for (int i = 1; i < layers.size(); i++) {
            double drop =
                    finite(layers.get(i - 1).qfloatVsFloat().sqnrDb())
                            - finite(layers.get(i).qfloatVsFloat().sqnrDb());
            if (drop > bestDrop) {
                bestDrop = drop;
                best = layers.get(i);
            }
        }
        return best;
    }

    /**
     * The layers sorted by QFloat/Float SQNR, lowest first.
     *
     * @param n how many
     * @return at most n layers
     */
    public List<Layer> lowestSqnr(int n) {
        List<Layer> sorted = new ArrayList<>(layers);
        sorted.sort(Comparator.comparingDouble(l -> l.qfloatVsFloat().sqnrDb()));
        return sorted.subList(0, Math.min(n, sorted.size()));
    }

    /**
     * @return a fixed-width table, one line per layer
     */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Per-layer error over %d images (SQNR in dB, higher is better; max ="
                                + " largest absolute error)%n",
                        images));
        int w = "layer".length();
        for (Layer l : layers) {
            w = Math.max(w, l.path().length());
        }
        String row = "%-" + w + "s  %-15s %14s %10s %14s %10s %12s%n";
        sb.append(
                String.format(
                        Locale.ROOT,
                        row,
                        "layer",
                        "block",
                        "QFloat/Float",
                        "max",
                        "Q/QFloat",
                        "max",
                        "Q/Float"));
        for (Layer l : layers) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            row,
                            BlockTree.display(l.path()),
                            l.block(),
                            db(l.qfloatVsFloat()),
                            num(l.qfloatVsFloat().maxAbsError()),
                            db(l.qVsQfloat()),
                            num(l.qVsQfloat().maxAbsError()),
                            db(l.qVsFloat())));
        }
        Layer drop = largestDrop();
        if (drop != null) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "largest QFloat/Float SQNR drop at %s (%s)%n",
                            BlockTree.display(drop.path()),
                            drop.block()));
        }
        return sb.toString();
    }

    /**
     * @return the comparison as JSON; an exact match has {@code "sqnrDb": null, "exact": true}
     */
    public String json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("images", images);
        List<Object> rows = new ArrayList<>();
        for (Layer l : layers) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", l.path());
            m.put("block", l.block());
            m.put("qBlock", l.qBlock());
            m.put("shape", l.shape());
            m.put("qfloatVsFloat", errors(l.qfloatVsFloat()));
            m.put("qVsQfloat", errors(l.qVsQfloat()));
            m.put("qVsFloat", errors(l.qVsFloat()));
            rows.add(m);
        }
        root.put("layers", rows);
        Layer drop = largestDrop();
        root.put("largestDrop", drop == null ? null : drop.path());
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root) + "\n";
    }

    private static Map<String, Object> errors(Errors e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sqnrDb", e.exact() ? null : e.sqnrDb());
        m.put("exact", e.exact());
        m.put("maxAbsError", e.maxAbsError());
        m.put("meanAbsError", e.meanAbsError());
        return m;
    }

    private static double finite(double db) {
        return Double.isInfinite(db) ? (db > 0 ? 1000 : -1000) : db;
    }

    private static String db(Errors e) {
        if (e.exact()) {
            return "exact";
        }
        return Double.isNaN(e.sqnrDb()) ? "NaN" : String.format(Locale.ROOT, "%.1f", e.sqnrDb());
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
