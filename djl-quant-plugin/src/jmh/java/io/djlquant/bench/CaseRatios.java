package io.djlquant.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ratios of one size x batch case, each of two medians measured in the same run: int8 on
 * JavaQuant against PyTorch's oneDNN int8 (peer) and DJL's PyTorch fp32 (issue 16), and each
 * DJL-facing int8 path against the direct kernel path (issue 13: Criteria within 10 %).
 */
final class CaseRatios {

    /** Ratio name -> numerator model, denominator model. */
    static final Map<String, String[]> RATIOS = new LinkedHashMap<>();

    static {
        RATIOS.put(
                "int8-javaquant/onednn-int8", new String[] {"int8-javaquant", "peer-int8-onednn"});
        RATIOS.put("int8-javaquant/djl-fp32", new String[] {"int8-javaquant", "fp32-pytorch"});
        RATIOS.put("int8-kernels/onednn-int8", new String[] {"int8-kernels", "peer-int8-onednn"});
        RATIOS.put("onednn-int8/djl-fp32", new String[] {"peer-int8-onednn", "fp32-pytorch"});
        RATIOS.put("int8-criteria/int8-kernels", new String[] {"int8-criteria", "int8-kernels"});
        RATIOS.put(
                "int8-criteria-batch/int8-kernels",
                new String[] {"int8-criteria-batch", "int8-kernels"});
        RATIOS.put(
                "int8-criteria-image/int8-kernels",
                new String[] {"int8-criteria-image", "int8-kernels"});
    }

    private final List<Map<String, Object>> rows = new ArrayList<>();

    /** Adds the ratios of one case from its medians (models missing from the run are skipped). */
    void add(int side, int batch, Map<String, Double> medians) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("size", side);
        row.put("batch", batch);
        for (var r : RATIOS.entrySet()) {
            Double num = medians.get(r.getValue()[0]);
            Double den = medians.get(r.getValue()[1]);
            if (num != null && den != null) {
                row.put(r.getKey(), num / den);
            }
        }
        rows.add(row);
    }

    List<Map<String, Object>> rows() {
        return rows;
    }

    /** A table with one column per ratio that at least one case has. */
    String table() {
        List<String> cols = new ArrayList<>();
        for (String name : RATIOS.keySet()) {
            if (rows.stream().anyMatch(r -> r.containsKey(name))) {
                cols.add(name);
            }
        }
        StringBuilder sb =
                new StringBuilder(String.format(Locale.ROOT, "%-5s %5s", "size", "batch"));
        for (String c : cols) {
            sb.append(String.format(Locale.ROOT, " %" + Math.max(9, c.length()) + "s", c));
        }
        sb.append('\n');
        for (Map<String, Object> r : rows) {
            sb.append(String.format(Locale.ROOT, "%-5d %5d", r.get("size"), r.get("batch")));
            for (String c : cols) {
                Object v = r.get(c);
                String cell = v == null ? "-" : String.format(Locale.ROOT, "%.3f", (Double) v);
                sb.append(String.format(Locale.ROOT, " %" + Math.max(9, c.length()) + "s", cell));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
