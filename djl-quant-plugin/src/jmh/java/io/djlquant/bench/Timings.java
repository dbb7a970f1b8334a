package io.djlquant.bench;

import java.util.Arrays;

/** Sorted per-iteration wall times (milliseconds) with the statistics the benchmark reports. */
final class Timings {

    private final double[] ms;

    Timings(double[] ms) {
        this.ms = ms.clone();
        Arrays.sort(this.ms);
    }

    /** Nearest-rank percentile, q in (0, 1]. */
    double percentile(double q) {
        int i = (int) Math.ceil(q * ms.length) - 1;
        return ms[Math.max(0, Math.min(ms.length - 1, i))];
    }

    double median() {
        int n = ms.length;
        return n % 2 == 1 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    }

    /** The fastest pass: on a shared machine, the one least disturbed by other processes. */
    double min() {
        return ms[0];
    }

    double p90() {
        return percentile(0.9);
    }

    int count() {
        return ms.length;
    }
}
