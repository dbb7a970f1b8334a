package io.djlquant.kernels;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * Many short calls of the SIMD products (and of the residual add, max pool passes, input
 * quantization and pair packing) before the first real inference, and the warm-up rounds of the
 * aarch64 check's {@code SimdWarmUp}.
 *
 * <p>Why: a model's first call runs each product over large tiles in one long loop, so C2 first
 * compiles the block kernels on-stack (OSR) in the middle of that loop. On JDK 17.0.21 such OSR
 * compiles of the pair kernel failed to intrinsify the Vector API (its loop-carried vectors enter
 * with the abstract type: {@code missing constant: vclass=DecodeN}), and the whole JVM then ran
 * ResNet18 5-10x slower (2 of 3 runs measured). Short calls make C2 compile the kernels as whole
 * methods from a profile that has seen every branch, before any long loop runs.
 *
 * <p>The shapes, sized by the vector length, visit every loop of {@link PanamaInt8Impl} (six-, two-
 * and one-channel blocks; two-vector, one-vector and scalar pixel steps; vector body and scalar
 * tail of the dot product), so the compiled code has no untaken branch that a later call would fall
 * out of. The smallest shape's products are then called many more times: {@code gemmBroadcast} only
 * walks tiles and calls the blocks, so C2 compiles it after about 5,000 invocations, not for a hot
 * loop. The row kernels and the dot product are not part of those cheap calls, and run over one
 * long row as well, so that their profiles see the vector loops as hot.
 */
final class KernelWarmUp {

    /** Extra calls of the smallest shape per round. */
    private static final int CHEAP_CALLS = 100;

    private KernelWarmUp() {}

    /**
     * Runs rounds for at least 200 ms and then until the JIT has been idle for 100 ms (no
     * compilation finished), at most 3 s; 200 ms when the JVM cannot report compilation time.
     *
     * @param impl the implementation to warm up
     */
    static void untilJitIdle(Int8Impl impl) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        long idleSince = start;
        long compiled = timed ? jit.getTotalCompilationTime() : 0;
        while (true) {
            run(impl, 20);
            long now = System.nanoTime();
            long total = timed ? jit.getTotalCompilationTime() : 0;
            if (total != compiled) {
                compiled = total;
                idleSince = now;
            }
            long elapsedMs = (now - start) / 1_000_000;
            boolean idle = !timed || (now - idleSince) / 1_000_000 >= 100;
            if (elapsedMs >= 3000 || (elapsedMs >= 200 && idle)) {
                return;
            }
        }
    }

    /**
     * Calls every product of {@code impl} on small shapes until {@code millis} have passed (at
     * least one round).
     *
     * @param impl the implementation to warm up
     * @param millis how long to keep calling
     * @return the number of rounds run
     */
    static int run(Int8Impl impl, long millis) {
        int l = impl.intLanes();
        int[][] shapes = { // m, k, n
            {7, 3 * l + 5, 5 * l + 3},
            {4, 2, 3},
            {1, l, 2 * l},
            {5, l + 1, l + 1},
            {9, 4, 2 * l + 7},
            {3, 1, 1},
        };
        Random r = new Random(7);
        Shape[] prepared = new Shape[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            prepared[i] = new Shape(r, shapes[i][0], shapes[i][1], shapes[i][2]);
        }
        Shape longRows = new Shape(r, 4, 16 * l + 5, 16 * l + 5);
        Convs convs = new Convs(r);
        long deadline = System.nanoTime() + millis * 1_000_000L;
        int rounds = 0;
        do {
            for (Shape s : prepared) {
                s.products(impl);
                s.rows(impl);
            }
            // Row kernels and the dot product over long rows too: their profile must see the vector
            // loop hot (seen on JDK 25: compiled from mostly 1-element calls, the residual add ran
            // 4x
            // and the classifier's dot product 6x slower for the rest of the JVM's life).
            longRows.rows(impl);
            // the smallest shape's products many times: invocation counts are what get the tile
            // walkers compiled whole
            for (int i = 0; i < CHEAP_CALLS; i++) {
                prepared[prepared.length - 1].products(impl);
            }
            convs.run(impl);
            rounds++;
        } while (System.nanoTime() < deadline);
        return rounds;
    }

    /**
     * Tiny convolutions, one per {@link ConvKernel.Strategy}: the task bodies of the convolution
     * paths loop over pixels, images and channel blocks, and called first by a model they would be
     * compiled on-stack with the products inlined, the case described above.
     */
    private static final class Convs {

        /** One warm-up call: an input of {@code batch} images of {@code side} x {@code side}. */
        private record Call(
                int batch,
                int side,
                PackedConvWeights w,
                ConvParams p,
                ActivationQuant in,
                ActivationQuant out,
                boolean relu) {

            ConvKernel.Strategy strategy() {
                return ConvKernel.strategy(w, p, batch, side, side);
            }
        }

        final byte[] x = new byte[16 * 4 * 6 * 6];
        final float[] m = new float[8];
        final java.util.List<Call> calls;

        Convs(Random r) {
            r.nextBytes(x);
            byte[] w = new byte[8 * 4 * 9];
            r.nextBytes(w);
            PackedConvWeights dense = PackedConvWeights.pack(w, 8, 4, 3, 3, 1, new int[8]);
            PackedConvWeights depthwise =
                    PackedConvWeights.pack(java.util.Arrays.copyOf(w, 4 * 9), 4, 4, 3, 3, 4, null);
            java.util.Arrays.fill(m, 0.003f);
            ConvParams one = ConvParams.of(1, 1, 1);
            // batch 16 of 2x2 maps: BATCH_INNER; one 6x6 image: SHIFTED; stride 2 on 6x6: IM2COL
            calls =
                    java.util.List.of(
                            new Call(16, 2, dense, one, UNSIGNED, SIGNED, true),
                            new Call(1, 6, dense, one, UNSIGNED, SIGNED, false),
                            new Call(2, 6, dense, ConvParams.of(2, 1, 1), SIGNED, UNSIGNED, true),
                            new Call(1, 6, depthwise, one, SIGNED, UNSIGNED, false));
        }

        void run(Int8Impl impl) {
            for (Call c : calls) {
                ConvKernel.run(impl, x, c.batch, c.side, c.side, c.in, c.w, c.p, m, c.out, c.relu);
            }
        }
    }

    /** The strategies the warm-up's convolutions take. */
    static java.util.Set<ConvKernel.Strategy> convStrategies() {
        java.util.Set<ConvKernel.Strategy> seen =
                java.util.EnumSet.noneOf(ConvKernel.Strategy.class);
        for (Convs.Call c : new Convs(new Random(7)).calls) {
            seen.add(c.strategy());
        }
        return seen;
    }

    private static final ActivationQuant SIGNED = ActivationQuant.int8(0.05f, 2);
    private static final ActivationQuant UNSIGNED = ActivationQuant.uint8(0.04f, 120);

    /**
     * One product shape (and a residual add of its width) with inputs and outputs allocated once.
     */
    private static final class Shape {
        final int m;
        final int k;
        final int n;
        final byte[] w;
        final int[] pairs;
        final int[] col;
        final int[] colPairs;
        final int[] rowOff;
        final int[] acc;
        final int[] dotAcc;
        final byte[] y;
        final byte[] other;
        final byte[] sum;
        final byte[] rows;
        final float[] floats;

        Shape(Random r, int m, int k, int n) {
            this.m = m;
            this.k = k;
            this.n = n;
            w = new byte[m * k];
            r.nextBytes(w);
            pairs = new int[m * k];
            for (int i = 0; i < pairs.length; i++) {
                pairs[i] = (w[i] + 128) | (w[(i + 1) % w.length] << 16);
            }
            col = new int[k + n + 8];
            colPairs = new int[k + n + 8];
            for (int i = 0; i < col.length; i++) {
                col[i] = r.nextInt(256) - 128;
                colPairs[i] = r.nextInt(256) | r.nextInt(256) << 16;
            }
            rowOff = new int[k];
            for (int kk = 0; kk < k; kk++) {
                rowOff[kk] = kk % 8;
            }
            acc = new int[m * n];
            dotAcc = new int[m + 1];
            y = new byte[n];
            other = new byte[n];
            r.nextBytes(other);
            sum = new byte[n];
            rows = new byte[n + 16];
            floats = new float[n];
            for (int i = 0; i < n; i++) {
                floats[i] = (float) r.nextGaussian();
            }
        }

        /** The products over this shape. */
        void products(Int8Impl impl) {
            impl.gemmBroadcast(w, 0, m, k, col, rowOff, n, acc);
            impl.gemmPairs(pairs, 0, m, k, colPairs, rowOff, n, acc);
        }

        /** The dot product over this shape and the row kernels over its n elements. */
        void rows(Int8Impl impl) {
            impl.gemmDot(w, 0, m, k, col, 1, dotAcc, 1);
            impl.requantRow(acc, 0, 3, 0.01f, 5, -128, 127, y, 0, n);
            impl.addRow(y, SIGNED, other, UNSIGNED, 0.07f, 3, 0, 255, sum, 0, n);
            impl.maxRows(other, 0, 0x80, rows, n, true);
            impl.maxRows(y, 0, 0x80, rows, n, false);
            impl.max3Stride2(rows, 0, 0x80, sum, 0, (n - 1) / 2);
            impl.quantizeRow(floats, 0.03f, 7, -128, 127, sum, 0, n);
            impl.packPairs(y, 0, 0, 1, 0x80, acc, 0, n);
            impl.packPairs(y, 0, 1, 2, 0, acc, 0, (n - 1) / 2);
        }
    }
}
