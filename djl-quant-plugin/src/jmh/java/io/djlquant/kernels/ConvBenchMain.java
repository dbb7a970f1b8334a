package io.djlquant.kernels;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link ConvBench} and prints GMAC/s per layer, benchmark and thread count, the int8/fp32
 * ratios and the 2-thread scaling. Arguments (all optional, {@code key=value}): {@code
 * layers=c64,c128,...|all} (default all), {@code threads=1,2}, {@code bench=regex} (default all
 * five benchmarks), {@code warmup=3}, {@code iters=5}, {@code time=1} (seconds per iteration),
 * {@code forks=1}.
 */
public final class ConvBenchMain {

    private ConvBenchMain() {}

    /** Entry point. */
    public static void main(String[] args) throws RunnerException {
        Map<String, String> a = new LinkedHashMap<>();
        for (String s : args) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are key=value, got '" + s + "'");
            }
            a.put(s.substring(0, eq), s.substring(eq + 1));
        }
        List<String> layers = new ArrayList<>();
        String ls = a.getOrDefault("layers", "all");
        if (ls.equals("all")) {
            for (ConvLayer l : ConvLayer.RESNET18_224) {
                layers.add(l.name());
            }
        } else {
            for (String s : ls.split(",")) {
                layers.add(ConvLayer.byName(s).name());
            }
        }
        String[] threads = a.getOrDefault("threads", "1,2").split(",");
        int time = Integer.parseInt(a.getOrDefault("time", "1"));
        ChainedOptionsBuilder o =
                new OptionsBuilder()
                        .include(ConvBench.class.getName() + "." + a.getOrDefault("bench", ".*"))
                        .param("layer", layers.toArray(new String[0]))
                        .param("threads", threads)
                        .warmupIterations(Integer.parseInt(a.getOrDefault("warmup", "3")))
                        .measurementIterations(Integer.parseInt(a.getOrDefault("iters", "5")))
                        .warmupTime(TimeValue.seconds(time))
                        .measurementTime(TimeValue.seconds(time))
                        .forks(Integer.parseInt(a.getOrDefault("forks", "1")));
        Collection<RunResult> results = new Runner(o.build()).run();
        // layer -> threads -> benchmark -> GMAC/s
        Map<String, Map<String, Map<String, Double>>> g = new LinkedHashMap<>();
        for (RunResult rr : results) {
            String bench = rr.getParams().getBenchmark();
            bench = bench.substring(bench.lastIndexOf('.') + 1);
            String layer = rr.getParams().getParam("layer");
            String t = rr.getParams().getParam("threads");
            double gmacs = rr.getPrimaryResult().getScore() * ConvLayer.byName(layer).macs() / 1e9;
            g.computeIfAbsent(layer, x -> new LinkedHashMap<>())
                    .computeIfAbsent(t, x -> new LinkedHashMap<>())
                    .put(bench, gmacs);
        }
        String[] cols = {
            "int8ConvSimd", "int8ConvScalar", "int8GemmSimd", "fp32GemmSimd", "fp32GemmPlain"
        };
        System.out.printf(
                Locale.ROOT,
                "%nGMAC/s (java %s, %s)%n",
                System.getProperty("java.version"),
                System.getProperty("os.arch"));
        System.out.printf(Locale.ROOT, "%-10s %3s", "layer", "thr");
        for (String c : cols) {
            System.out.printf(Locale.ROOT, " %14s", c);
        }
        System.out.printf(Locale.ROOT, " %13s %13s %9s%n", "conv/fp32", "gemm/fp32", "conv 2t/1t");
        for (var le : g.entrySet()) {
            Map<String, Double> one = le.getValue().get("1");
            for (var te : le.getValue().entrySet()) {
                Map<String, Double> v = te.getValue();
                System.out.printf(Locale.ROOT, "%-10s %3s", le.getKey(), te.getKey());
                for (String c : cols) {
                    Double d = v.get(c);
                    System.out.printf(
                            Locale.ROOT,
                            " %14s",
                            d == null ? "-" : String.format(Locale.ROOT, "%.2f", d));
                }
                System.out.printf(
                        Locale.ROOT,
                        " %13s %13s %9s%n",
                        ratio(v.get("int8ConvSimd"), v.get("fp32GemmSimd")),
                        ratio(v.get("int8GemmSimd"), v.get("fp32GemmSimd")),
                        one == null || te.getKey().equals("1")
                                ? ""
                                : ratio(v.get("int8ConvSimd"), one.get("int8ConvSimd")));
            }
        }
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }
}
