package io.djlquant.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Whether batches pay off per layer: ResNet18's convolutions at {@code size} (224 default) run as
 * {@code batch} calls of one image and as one call of {@code batch} images, interleaved round by
 * round, timed by the calling thread's CPU clock with one kernel thread (robust on a busy machine;
 * {@code clock=wall} and {@code threads=2} time the wall clock instead). Prints per layer the
 * median GMAC/s of both and their ratio, and the ResNet18-weighted sum of the medians.
 *
 * <p>Arguments ({@code key=value}): {@code batch=8}, {@code size=224}, {@code rounds=9}, {@code
 * warmup=1} (seconds per layer and form), {@code threads=1}, {@code clock=cpu|wall}, {@code
 * layers=name,...}.
 */
public final class BatchScaling {

    private BatchScaling() {}

    /** How often each {@link ConvLayer} occurs in ResNet18. */
    private static int occurrences(String name) {
        switch (name) {
            case "c64":
                return 4;
            case "c128":
            case "c256":
            case "c512":
                return 3;
            default:
                return 1;
        }
    }

    /** Entry point. */
    public static void main(String[] args) {
        Map<String, String> a = new TreeMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        int batch = Integer.parseInt(a.getOrDefault("batch", "8"));
        int size = Integer.parseInt(a.getOrDefault("size", "224"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "9"));
        long warmNanos = (long) (Double.parseDouble(a.getOrDefault("warmup", "1")) * 1e9);
        int threads = Integer.parseInt(a.getOrDefault("threads", "1"));
        boolean cpu = !"wall".equals(a.getOrDefault("clock", "cpu"));
        if (cpu && threads != 1) {
            throw new IllegalArgumentException(
                    "clock=cpu measures the calling thread: threads=1 only");
        }
        String only = a.get("layers");
        Int8Kernels.setThreads(threads);
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        System.out.printf(
                Locale.ROOT,
                "java %s, kernels %s, %d thread(s), %s clock, size %d, batch %d%n",
                System.getProperty("java.version"),
                Int8Kernels.implementationName(),
                threads,
                cpu ? "cpu" : "wall",
                size,
                batch);
        System.out.printf(
                Locale.ROOT,
                "%-10s %12s %12s %8s%n",
                "layer",
                "b1 GMAC/s",
                "b" + batch + " GMAC/s",
                "ratio");
        double ones = 0;
        double batched = 0;
        Random r = new Random(1);
        ActivationQuant in = ActivationQuant.uint8(0.05f, 3);
        ActivationQuant out = ActivationQuant.uint8(0.1f, 5);
        for (ConvLayer l : ConvLayer.RESNET18_224) {
            if (only != null && !Arrays.asList(only.split(",")).contains(l.name())) {
                continue;
            }
            int h = l.h() * size / 224;
            int plane = l.c() * h * h;
            byte[] w = new byte[l.oc() * l.k()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) (r.nextInt(255) - 127);
            }
            PackedConvWeights pw =
                    PackedConvWeights.pack(w, l.oc(), l.c(), l.kernel(), l.kernel(), 1, null);
            float[] m = new float[l.oc()];
            Arrays.fill(m, 1f / (64 * l.k()));
            byte[] xb = new byte[batch * plane];
            for (int i = 0; i < xb.length; i++) {
                xb[i] = (byte) r.nextInt(256);
            }
            byte[][] x1 = new byte[batch][];
            for (int n = 0; n < batch; n++) {
                x1[n] = Arrays.copyOfRange(xb, n * plane, (n + 1) * plane);
            }
            Runnable single =
                    () -> {
                        for (int n = 0; n < batch; n++) {
                            Int8Kernels.conv2d(
                                    x1[n], 1, l.c(), h, h, in, pw, l.params(), m, out, true);
                        }
                    };
            Runnable whole =
                    () ->
                            Int8Kernels.conv2d(
                                    xb, batch, l.c(), h, h, in, pw, l.params(), m, out, true);
            Runnable[] ops = {single, whole};
            for (Runnable op : ops) {
                long s = System.nanoTime();
                while (System.nanoTime() - s < warmNanos) {
                    op.run();
                }
            }
            long[][] nanos = new long[2][rounds];
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < 2; i++) {
                    long s = cpu ? tmx.getCurrentThreadCpuTime() : System.nanoTime();
                    ops[i].run();
                    nanos[i][round] = (cpu ? tmx.getCurrentThreadCpuTime() : System.nanoTime()) - s;
                }
            }
            int o = l.params().outH(h, l.kernel());
            double macs = (double) batch * l.oc() * l.k() * o * o;
            Arrays.sort(nanos[0]);
            Arrays.sort(nanos[1]);
            long t1 = nanos[0][rounds / 2];
            long tb = nanos[1][rounds / 2];
            ones += occurrences(l.name()) * t1;
            batched += occurrences(l.name()) * tb;
            System.out.printf(
                    Locale.ROOT,
                    "%-10s %12.1f %12.1f %8.2f%n",
                    l.name(),
                    macs / t1,
                    macs / tb,
                    (double) t1 / tb);
        }
        System.out.printf(
                Locale.ROOT,
                "ResNet18 convolutions, %d images: %.1f ms as single images, %.1f ms as one"
                        + " batch (%.2fx)%n",
                batch,
                ones / 1e6,
                batched / 1e6,
                ones / batched);
    }
}
