package io.djlquant.kernels;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Times the convolutions of ResNet18 (ImageNet stem) on 32x32 images in large batches, the shapes
 * of the main job's batched evaluation, where the late feature maps are 4x4 down to 1x1. Prints the
 * median and minimum milliseconds and GMAC/s (of the minimum) (counting the taps that read the
 * image only) per layer. Arguments ({@code key=value}): {@code batch=100}, {@code threads=2},
 * {@code iters=30}, {@code size=32} (the input size: 224 gives the maps of the ImageNet-sized
 * network, for comparison).
 */
public final class SmallMapConvs {

    private SmallMapConvs() {}

    /** name, c, h, oc, kernel, stride, pad */
    private static final Object[][] LAYERS = {
        {"stem7x7s2", 3, 32, 64, 7, 2, 3},
        {"c64", 64, 8, 64, 3, 1, 1},
        {"c128s2", 64, 8, 128, 3, 2, 1},
        {"c128", 128, 4, 128, 3, 1, 1},
        {"ds128", 64, 8, 128, 1, 2, 0},
        {"c256s2", 128, 4, 256, 3, 2, 1},
        {"c256", 256, 2, 256, 3, 1, 1},
        {"ds256", 128, 4, 256, 1, 2, 0},
        {"c512s2", 256, 2, 512, 3, 2, 1},
        {"c512", 512, 1, 512, 3, 1, 1},
        {"ds512", 256, 2, 512, 1, 2, 0},
    };

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /** Entry point. */
    public static void main(String[] args) {
        int batch = 100;
        int threads = 2;
        int iters = 30;
        int size = 32;
        java.util.Set<String> only = null;
        boolean cpuClock = false;
        for (String s : args) {
            String[] kv = s.split("=", 2);
            switch (kv[0]) {
                case "batch" -> batch = Integer.parseInt(kv[1]);
                case "threads" -> threads = Integer.parseInt(kv[1]);
                case "iters" -> iters = Integer.parseInt(kv[1]);
                case "size" -> size = Integer.parseInt(kv[1]);
                case "layers" -> only = java.util.Set.of(kv[1].split(","));
                // thread CPU time of the caller: robust to a busy host, meaningful with threads=1
                // only
                case "clock" -> cpuClock = "cpu".equals(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument '" + s + "'");
            }
        }
        Int8Kernels.setThreads(threads);
        if (cpuClock && threads != 1) {
            throw new IllegalArgumentException("clock=cpu times the calling thread: use threads=1");
        }
        Int8Kernels.warmUp(); // as the engine does when it starts
        Random r = new Random(7);
        ActivationQuant act = ActivationQuant.uint8(0.05f, 3);
        double total = 0;
        double totalMin = 0;
        System.out.printf(
                Locale.ROOT,
                "%-10s %9s %9s %8s  (%dx%d, batch %d, %d threads, kernels %s)%n",
                "layer",
                "median ms",
                "min ms",
                "GMAC/s",
                size,
                size,
                batch,
                threads,
                Int8Kernels.implementationName());
        for (Object[] l : LAYERS) {
            if (only != null && !only.contains((String) l[0])) {
                continue;
            }
            int c = (int) l[1];
            int h = (int) l[2] * size / 32; // the table's maps are those of 32x32 inputs
            int oc = (int) l[3];
            int k = (int) l[4];
            ConvParams p = ConvParams.of((int) l[5], (int) l[6], 1);
            byte[] w = new byte[oc * c * k * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = (byte) (r.nextInt(255) - 127);
            }
            PackedConvWeights pw = PackedConvWeights.pack(w, oc, c, k, k, 1, new int[oc]);
            float[] m = new float[oc];
            Arrays.fill(m, 1e-4f);
            byte[] x = new byte[batch * c * h * h];
            r.nextBytes(x);
            long[] ns = new long[iters];
            for (int it = -5; it < iters; it++) {
                long t0 = cpuClock ? CPU.getCurrentThreadCpuTime() : System.nanoTime();
                Int8Kernels.conv2d(x, batch, c, h, h, act, pw, p, m, act, true);
                if (it >= 0) {
                    ns[it] = (cpuClock ? CPU.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
                }
            }
            Arrays.sort(ns);
            double ms = ns[iters / 2] / 1e6;
            double min = ns[0] / 1e6;
            total += ms;
            totalMin += min;
            int oh = p.outH(h, k);
            long macs = 0;
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < oh; xx++) {
                    for (int dy = 0; dy < k; dy++) {
                        for (int dx = 0; dx < k; dx++) {
                            int iy = y * p.strideH() - p.padH() + dy;
                            int ix = xx * p.strideW() - p.padW() + dx;
                            macs += iy >= 0 && iy < h && ix >= 0 && ix < h ? 1 : 0;
                        }
                    }
                }
            }
            macs *= (long) batch * c * oc;
            System.out.printf(
                    Locale.ROOT, "%-10s %9.3f %9.3f %8.1f%n", l[0], ms, min, macs / min / 1e6);
        }
        System.out.printf(
                Locale.ROOT,
                "%-10s %9.3f %9.3f (each layer once; ResNet18 runs c64 x4, c128/c256/c512 x3)%n",
                "sum",
                total,
                totalMin);
    }
}
