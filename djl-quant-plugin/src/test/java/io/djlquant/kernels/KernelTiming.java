package io.djlquant.kernels;

import java.util.Random;

/**
 * Rough timing of typical layers for scalar vs SIMD (not a test, not JMH; numbers are indicative).
 * Run: {@code java --add-modules jdk.incubator.vector -cp <classes>
 * io.djlquant.kernels.KernelTiming [threads]}.
 */
public final class KernelTiming {

    private KernelTiming() {}

    /** Entry point; optional argument: thread count. */
    public static void main(String[] args) {
        Int8Kernels.setThreads(args.length > 0 ? Integer.parseInt(args[0]) : 1);
        Random r = new Random(0);
        ActivationQuant q = ActivationQuant.uint8(0.05f, 100);
        int[][] convs = { // c, h, w, oc, k, stride, pad, groups
            {64, 56, 56, 64, 3, 1, 1, 1},
            {256, 14, 14, 256, 1, 1, 0, 1},
            {3, 224, 224, 64, 7, 2, 3, 1},
            {96, 56, 56, 96, 3, 1, 1, 96},
        };
        for (int[] c : convs) {
            int k = c[0] / c[7] * c[4] * c[4];
            byte[] x = TestData.bytes(r, c[0] * c[1] * c[2]);
            PackedConvWeights w =
                    PackedConvWeights.pack(
                            TestData.bytes(r, c[3] * k), c[3], c[0], c[4], c[4], c[7], null);
            ConvParams p = ConvParams.of(c[5], c[6], 1);
            float[] m = TestData.multipliers(r, c[3], k, 1f);
            long macs = (long) c[3] * k * p.outH(c[1], c[4]) * p.outW(c[2], c[4]);
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                Runnable run =
                        () -> Int8Kernels.conv2d(impl, x, 1, c[0], c[1], c[2], q, w, p, m, q, true);
                report("conv " + java.util.Arrays.toString(c) + " " + impl.name(), run, macs);
            }
        }
        PackedLinearWeights lw =
                PackedLinearWeights.pack(TestData.bytes(r, 1000 * 2048), 1000, 2048, null);
        byte[] lx = TestData.bytes(r, 2048);
        float[] lm = TestData.multipliers(r, 1000, 2048, 1f);
        for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
            report(
                    "linear 2048->1000 " + impl.name(),
                    () -> Int8Kernels.linear(impl, lx, 1, q, lw, lm, q, false),
                    2048L * 1000);
        }
    }

    private static void report(String name, Runnable run, long macs) {
        for (int i = 0; i < 5; i++) {
            run.run(); // warm-up
        }
        int reps = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            run.run();
            reps++;
            elapsed = System.nanoTime() - start;
        } while (elapsed < 1_000_000_000L && reps < 200);
        double ms = elapsed / 1e6 / reps;
        System.out.printf("%-50s %8.3f ms  %6.2f GMAC/s%n", name, ms, macs / (ms * 1e6));
    }
}
