package io.djlquant.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Interleaved companion of {@link ConvBenchMain} for a shared, noisy machine: per layer and thread
 * count, the variants of {@link ConvBench} run round-robin (one op each per round), so slow drifts
 * in machine load hit all of them alike; reports the median GMAC/s per variant and the ratios.
 * Arguments ({@code key=value}): {@code layers=all|c64,...}, {@code threads=1,2}, {@code
 * rounds=15}, {@code warmup=2} (seconds per variant), {@code intgemm=false} (adds the previous
 * int32 product {@code int8GemmInt}), {@code plain=false} and {@code scalar=false} (add the slow
 * plain-Java fp32 product and the scalar int8 conv), {@code clock=wall|cpu}: {@code cpu} times each
 * op with this thread's CPU time instead of wall time, for 1 thread only (the kernels then run on
 * the calling thread). On a machine where other processes keep the cores busy, wall time favours
 * ops short enough to finish within one scheduler time slice; CPU time does not count preemption.
 */
public final class ConvRatio {

    private ConvRatio() {}

    /** Entry point. */
    public static void main(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are key=value, got '" + s + "'");
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        List<ConvLayer> layers = new ArrayList<>();
        String ls = a.getOrDefault("layers", "all");
        for (ConvLayer l : ConvLayer.RESNET18_224) {
            if (ls.equals("all") || Arrays.asList(ls.split(",")).contains(l.name())) {
                layers.add(l);
            }
        }
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "15"));
        long warmNanos = (long) (Double.parseDouble(a.getOrDefault("warmup", "2")) * 1e9);
        List<String> variants =
                new ArrayList<>(List.of("int8ConvSimd", "int8GemmSimd", "fp32GemmSimd"));
        if (Boolean.parseBoolean(a.getOrDefault("intgemm", "false"))) {
            variants.add("int8GemmInt");
        }
        if (Boolean.parseBoolean(a.getOrDefault("plain", "false"))) {
            variants.add("fp32GemmPlain");
        }
        if (Boolean.parseBoolean(a.getOrDefault("scalar", "false"))) {
            variants.add("int8ConvScalar");
        }
        String[] names = variants.toArray(new String[0]);
        boolean cpuClock = a.getOrDefault("clock", "wall").equals("cpu");
        java.lang.management.ThreadMXBean tmx =
                java.lang.management.ManagementFactory.getThreadMXBean();
        System.out.printf(
                Locale.ROOT,
                "interleaved medians, GMAC/s (java %s, %d rounds, %s clock, %d-bit ints)%n",
                System.getProperty("java.version"),
                rounds,
                cpuClock ? "thread-CPU" : "wall",
                jdk.incubator.vector.IntVector.SPECIES_PREFERRED.vectorBitSize());
        System.out.printf(Locale.ROOT, "%-10s %3s", "layer", "thr");
        for (String n : names) {
            System.out.printf(Locale.ROOT, " %14s", n);
        }
        System.out.printf(Locale.ROOT, " %10s %10s %10s%n", "conv/fp32", "gemm/fp32", "conv 2t/1t");
        for (ConvLayer l : layers) {
            double oneThread = Double.NaN;
            for (String t : a.getOrDefault("threads", "1,2").split(",")) {
                ConvBench b = new ConvBench();
                b.layer = l.name();
                b.threads = Integer.parseInt(t.trim());
                if (cpuClock && b.threads != 1) {
                    throw new IllegalArgumentException(
                            "clock=cpu measures the calling thread: threads=1 only");
                }
                b.setup();
                Runnable[] ops = new Runnable[names.length];
                for (int i = 0; i < names.length; i++) {
                    ops[i] = op(b, names[i]);
                    long s = System.nanoTime();
                    while (System.nanoTime() - s < warmNanos) {
                        ops[i].run();
                    }
                }
                double[][] gmacs = new double[names.length][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int i = 0; i < names.length; i++) {
                        long s = cpuClock ? tmx.getCurrentThreadCpuTime() : System.nanoTime();
                        ops[i].run();
                        long e = cpuClock ? tmx.getCurrentThreadCpuTime() : System.nanoTime();
                        gmacs[i][r] = l.macs() / (double) (e - s);
                    }
                }
                double[] med = new double[names.length];
                System.out.printf(Locale.ROOT, "%-10s %3s", l.name(), t);
                for (int i = 0; i < names.length; i++) {
                    Arrays.sort(gmacs[i]);
                    med[i] = gmacs[i][rounds / 2];
                    System.out.printf(Locale.ROOT, " %14.2f", med[i]);
                }
                if (b.threads == 1) {
                    oneThread = med[0];
                }
                System.out.printf(
                        Locale.ROOT,
                        " %10.2f %10.2f %10s%n",
                        med[0] / med[2],
                        med[1] / med[2],
                        b.threads == 1 || Double.isNaN(oneThread)
                                ? ""
                                : String.format(Locale.ROOT, "%.2f", med[0] / oneThread));
            }
        }
    }

    private static Runnable op(ConvBench b, String name) {
        switch (name) {
            case "int8ConvSimd":
                return b::int8ConvSimd;
            case "int8ConvScalar":
                return b::int8ConvScalar;
            case "int8GemmSimd":
                return b::int8GemmSimd;
            case "int8GemmInt":
                return b::int8GemmInt;
            case "fp32GemmSimd":
                return b::fp32GemmSimd;
            default:
                return b::fp32GemmPlain;
        }
    }
}
