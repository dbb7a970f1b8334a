package io.djlquant.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Wall time per named layer of {@link KernelResNet18} passes (layers of one shape share a name), so
 * the benchmark can say where a pass spends its time. Not thread-safe: one forward pass at a time.
 */
final class LayerClock {

    private final Map<String, long[]> nanosAndCalls = new LinkedHashMap<>();
    private int passes;

    /** Runs {@code layer}, adding its wall time to {@code name}. */
    <T> T time(String name, Supplier<T> layer) {
        long start = System.nanoTime();
        T out = layer.get();
        long[] slot = nanosAndCalls.computeIfAbsent(name, k -> new long[2]);
        slot[0] += System.nanoTime() - start;
        slot[1]++;
        return out;
    }

    /** Counts one finished pass (the divisor of the per-pass figures). */
    void passDone() {
        passes++;
    }

    /** Per layer name: milliseconds per pass, calls per pass, share of the timed total. */
    Map<String, Object> report() {
        long total = 0;
        for (long[] v : nanosAndCalls.values()) {
            total += v[0];
        }
        Map<String, Object> r = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : nanosAndCalls.entrySet()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("msPerPass", e.getValue()[0] / 1e6 / passes);
            row.put("callsPerPass", e.getValue()[1] / passes);
            row.put("share", (double) e.getValue()[0] / total);
            r.put(e.getKey(), row);
        }
        return r;
    }

    /** The report as a table. */
    String table() {
        StringBuilder b =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%-12s %8s %6s %7s%n",
                                "layer",
                                "ms/pass",
                                "calls",
                                "share"));
        for (Map.Entry<String, Object> e : report().entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = (Map<String, Object>) e.getValue();
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%-12s %8.3f %6d %6.1f%%%n",
                            e.getKey(),
                            row.get("msPerPass"),
                            row.get("callsPerPass"),
                            100 * (double) row.get("share")));
        }
        return b.toString();
    }
}
