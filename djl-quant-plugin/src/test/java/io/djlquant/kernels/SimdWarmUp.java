package io.djlquant.kernels;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jdk.incubator.vector.IntVector;

/**
 * Calls the SIMD products until C2 has compiled them (see {@link C2Code}). The shapes visit every loop
 * of {@link PanamaInt8Impl} (six-, two- and one-channel blocks; two-vector, one-vector and scalar
 * pixel steps; vector body and scalar tail of the dot product, and loops not entered at all), so the
 * compiled code has no untaken branch that a later call would fall out of. Weights are int8 bytes.
 */
public final class SimdWarmUp {

    /**
     * The methods whose C2 code the checks wait for: the entry points of the SIMD products (the blocks
     * they call are compiled with them, or inlined into them) and the pair block, too large to be
     * inlined. {@code Int8ImplTest} checks that these names exist, so a rename fails on x86 first
     * instead of making the aarch64 check wait forever.
     */
    public static final List<String> VECTOR_METHODS =
            List.of("gemmDot", "gemmBroadcast", "gemmPairs", C2Code.pairBlock());

    /**
     * Extra calls per round with the smallest shape. {@code gemmBroadcast} only walks tiles and calls
     * the blocks, so C2 compiles it after about 5,000 invocations, not for a hot loop; under QEMU's
     * SVE emulation the real shapes alone did not get there in 15 minutes. Cheap calls raise its
     * invocation count quickly, and as the real shapes ran first, the profile C2 compiles from has
     * seen every branch (no untaken branch for later calls to fall out of).
     */
    private static final int CHEAP_CALLS = 100;

    private SimdWarmUp() {}

    /**
     * Warms up until every method of {@link #VECTOR_METHODS} runs C2 code or {@code timeoutSeconds} pass.
     *
     * @return seconds taken
     * @throws IllegalStateException on timeout, naming the methods still not compiled
     */
    public static double untilCompiled(C2Code c2, int timeoutSeconds) throws IOException {
        int l = IntVector.SPECIES_PREFERRED.length();
        int[][] shapes = { // m, k, n
            {7, 3 * l + 5, 5 * l + 3}, {4, 2, 3}, {1, l, 2 * l}, {5, l + 1, l + 1}, {3, 1, 1},
        };
        Random r = new Random(7);
        long start = System.nanoTime();
        long deadline = start + timeoutSeconds * 1_000_000_000L;
        Int8Impl simd = TestData.SIMD;
        int calls = 0;
        while (true) {
            for (int[] s : shapes) {
                int m = s[0];
                int k = s[1];
                int n = s[2];
                byte[] w = bytes(r, m * k);
                int[] col = ints(r, k + n + 8);
                int[] rowOff = new int[k];
                for (int kk = 0; kk < k; kk++) {
                    rowOff[kk] = kk % 8;
                }
                simd.gemmBroadcast(w, 0, m, k, col, rowOff, n, new int[m * n]);
                simd.gemmDot(w, 0, m, k, col, 1, new int[m + 1], 1);
                simd.gemmPairs(pairs(w), 0, m, k, colPairs(col, n), rowOff, n, new int[m * n]);
            }
            byte[] w1 = bytes(r, 3);
            int[] col1 = ints(r, 1 + 1 + 8); // as the shape {3, 1, 1} above
            int[] rowOff1 = {0};
            int[] pairs1 = pairs(w1);
            int[] colPairs1 = colPairs(col1, 1);
            for (int i = 0; i < CHEAP_CALLS; i++) {
                simd.gemmBroadcast(w1, 0, 3, 1, col1, rowOff1, 1, new int[3]);
                simd.gemmDot(w1, 0, 3, 1, col1, 1, new int[3 + 1], 1);
                simd.gemmPairs(pairs1, 0, 3, 1, colPairs1, rowOff1, 1, new int[3]);
            }
            calls++;
            if (calls % 200 == 0) {
                List<String> missing = new ArrayList<>();
                for (String method : VECTOR_METHODS) {
                    if (c2.liveIds(PanamaInt8Impl.class, method).isEmpty()) {
                        missing.add(method);
                    }
                }
                if (missing.isEmpty()) {
                    return (System.nanoTime() - start) / 1e9;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("C2 did not compile " + missing + " within "
                            + timeoutSeconds + " s (" + calls * shapes.length + " calls each)");
                }
            }
        }
    }

    /** Weight pairs as the pair product takes them: a low unsigned-offset byte and a high signed one. */
    private static int[] pairs(byte[] w) {
        int[] pairs = new int[w.length];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = (w[i] + 128) | (w[(i + 1) % w.length] << 16);
        }
        return pairs;
    }

    /** Activation pairs: two unsigned 8-bit values in one int. */
    private static int[] colPairs(int[] col, int n) {
        int[] colPairs = new int[n + 8];
        for (int i = 0; i < colPairs.length; i++) {
            colPairs[i] = (col[i % col.length] & 0xFF) | (col[(i + 3) % col.length] & 0xFF) << 16;
        }
        return colPairs;
    }

    private static byte[] bytes(Random r, int n) {
        byte[] v = new byte[n];
        r.nextBytes(v);
        return v;
    }

    private static int[] ints(Random r, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(256) - 128;
        }
        return v;
    }
}
