package io.djlquant.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Wall time and multiply-adds per named layer of {@link KernelResNet18} passes (layers of one shape
 * share a name), so the benchmark can say where a pass spends its time and how close each layer
 * comes to the machine's measured peak. Not thread-safe: one forward pass at a time.
 */
final class LayerClock {

    /** Per name: nanoseconds, calls, multiply-adds. */
    private final Map<String, long[]> totals = new LinkedHashMap<>();

    private int passes;

    /** Runs {@code layer} (doing {@code macs} multiply-adds, 0 for none) under {@code name}. */
    <T> T time(String name, long macs, Supplier<T> layer) {
        long start = System.nanoTime();
        T out = layer.get();
        long[] slot = totals.computeIfAbsent(name, k -> new long[3]);
        slot[0] += System.nanoTime() - start;
        slot[1]++;
        slot[2] += macs;
        return out;
    }

    /** Counts one finished pass (the divisor of the per-pass figures). */
    void passDone() {
        passes++;
    }

    /**
     * Per layer name: milliseconds per pass, calls per pass, share of the timed total and, for
     * layers that multiply, GMAC/s and the fraction of {@code peakGmacPerSecond} (NaN: unknown).
     */
    Map<String, Object> report(double peakGmacPerSecond) {
        long total = 0;
        for (long[] v : totals.values()) {
            total += v[0];
        }
        Map<String, Object> r = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : totals.entrySet()) {
            long[] v = e.getValue();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("msPerPass", v[0] / 1e6 / passes);
            row.put("callsPerPass", v[1] / passes);
            row.put("share", (double) v[0] / total);
            if (v[2] > 0) {
                double gmacs = (double) v[2] / v[0]; // multiply-adds per ns = GMAC/s
                row.put("gmacPerSecond", gmacs);
                row.put("ofPeak", gmacs / peakGmacPerSecond);
            }
            r.put(e.getKey(), row);
        }
        return r;
    }

    /** The report as a table. */
    String table(double peakGmacPerSecond) {
        StringBuilder b =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "%-12s %8s %6s %7s %8s %8s%n",
                                "layer",
                                "ms/pass",
                                "calls",
                                "share",
                                "GMAC/s",
                                "of peak"));
        for (Map.Entry<String, Object> e : report(peakGmacPerSecond).entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = (Map<String, Object>) e.getValue();
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%-12s %8.3f %6d %6.1f%%",
                            e.getKey(),
                            row.get("msPerPass"),
                            row.get("callsPerPass"),
                            100 * (double) row.get("share")));
            if (row.containsKey("gmacPerSecond")) {
                b.append(
                        String.format(
                                Locale.ROOT,
                                " %8.1f %7.0f%%",
                                row.get("gmacPerSecond"),
                                100 * (double) row.get("ofPeak")));
            }
            b.append(System.lineSeparator());
        }
        return b.toString();
    }
}
