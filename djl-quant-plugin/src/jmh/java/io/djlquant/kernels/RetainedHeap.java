package io.djlquant.kernels;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import io.djlquant.engine.JqEngine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Heap retained by a loaded {@code .jq} model, measured two ways with the engine and kernels
 * already initialised: live object bytes (the "Total" of {@code jcmd GC.class_histogram}, which
 * runs a full GC) with the model loaded minus the same before loading, and the heap in use after
 * full GCs (G1 counts whole regions for humongous arrays, so this one is higher). A measurement
 * program, not a test (the figures depend on the JVM).
 *
 * <p>Arguments: the model file; optionally the fp32 parameter count to relate the figures to
 * (default 11,689,512, torchvision's ResNet18); optionally a directory to save the loaded model to
 * as {@code saved.jq} (to compare its bytes with another build's). {@code -Dhistogram=true} also
 * prints the histogram's top lines with the model loaded.
 */
public final class RetainedHeap {

    private RetainedHeap() {}

    /** Entry point. */
    public static void main(String[] args)
            throws IOException, MalformedModelException, InterruptedException {
        if (args.length < 1) {
            throw new IllegalArgumentException(
                    "usage: RetainedHeap <model.jq> [fp32 parameters] [save dir]");
        }
        Path file = Path.of(args[0]);
        long params = args.length > 1 ? Long.parseLong(args[1]) : 11_689_512L;
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        try (Model model = Model.newInstance("retained", JqEngine.ENGINE_NAME)) {
            // Engine, kernels and their static state exist before the baseline; only the load
            // differs.
            Int8Kernels.warmUp();
            long liveBefore = liveBytes(false);
            long usedBefore = settledHeap(mem);
            model.load(file);
            long liveAfter = liveBytes(Boolean.getBoolean("histogram"));
            long usedAfter = settledHeap(mem);
            double fp32 = params * 4.0;
            System.out.printf(
                    "model %s, fp32 parameters %.1f MB%n", file.getFileName(), fp32 / 1e6);
            report("live objects", liveAfter - liveBefore, fp32, params);
            report("heap in use after GC", usedAfter - usedBefore, fp32, params);
            // Keeps the model reachable until after the measurement.
            System.out.println("block " + model.getBlock().getClass().getSimpleName());
            if (args.length > 2) {
                model.save(Path.of(args[2]), "saved");
                System.out.println("saved to " + Path.of(args[2], "saved.jq"));
            }
        }
    }

    private static void report(String what, long bytes, double fp32, long params) {
        System.out.printf(
                "retained (%s) %.2f MB = %.1f %% of fp32 parameters, %.2f bytes per parameter%n",
                what, bytes / 1e6, 100.0 * bytes / fp32, bytes / (double) params);
    }

    /** The histogram's total bytes of live objects. */
    private static long liveBytes(boolean print) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(
                                "jcmd",
                                Long.toString(ProcessHandle.current().pid()),
                                "GC.class_histogram")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("jcmd failed: " + out);
        }
        String[] lines = out.split("\n");
        if (print) {
            for (int i = 0; i < Math.min(14, lines.length); i++) {
                System.out.println(lines[i]);
            }
        }
        for (String line : lines) {
            if (line.startsWith("Total")) {
                String[] f = line.trim().split("\\s+");
                return Long.parseLong(f[f.length - 1]);
            }
        }
        throw new IllegalStateException("no Total line in: " + out);
    }

    private static long settledHeap(MemoryMXBean mem) {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            least = Math.min(least, mem.getHeapMemoryUsage().getUsed());
        }
        return least;
    }
}
