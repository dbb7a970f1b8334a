package io.djlquant.kernels;

import java.io.IOException;
import java.util.Random;
import jdk.incubator.vector.IntVector;

/**
 * Calls the SIMD products until C2 has compiled both (see {@link C2Code}). The shapes visit every loop
 * of {@link PanamaInt8Impl} (six-, two- and one-channel blocks; two-vector, one-vector and scalar
 * pixel steps; vector body and scalar tail of the dot product, and loops not entered at all), so the
 * compiled code has no untaken branch that a later call would fall out of. Weights are int8 bytes.
 */
public final class SimdWarmUp {

    private SimdWarmUp() {}

    /**
     * Warms up until both methods run C2 code or {@code timeoutSeconds} pass.
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
                int[] pairs = new int[m * k];
                for (int i = 0; i < pairs.length; i++) {
                    pairs[i] = (w[i] + 128) | (w[(i + 1) % w.length] << 16);
                }
                int[] colPairs = new int[n + 8];
                for (int i = 0; i < colPairs.length; i++) {
                    colPairs[i] = (col[i % col.length] & 0xFF) | (col[(i + 3) % col.length] & 0xFF) << 16;
                }
                simd.gemmPairs(pairs, 0, m, k, colPairs, rowOff, n, new int[m * n]);
            }
            calls++;
            if (calls % 200 == 0) {
                boolean dot = !c2.liveIds(PanamaInt8Impl.class, "gemmDot").isEmpty();
                boolean broadcast = !c2.liveIds(PanamaInt8Impl.class, "gemmBroadcast").isEmpty();
                boolean pairs = !c2.liveIds(PanamaInt8Impl.class, "gemmPairs").isEmpty()
                        && !c2.liveIds(PanamaInt8Impl.class, C2Code.pairBlock()).isEmpty();
                if (dot && broadcast && pairs) {
                    return (System.nanoTime() - start) / 1e9;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("C2 did not compile " + (dot ? "" : "gemmDot ")
                            + (broadcast ? "" : "gemmBroadcast ")
                            + (pairs ? "" : "gemmPairs/" + C2Code.pairBlock() + " ") + "within " + timeoutSeconds
                            + " s ("
                            + calls * shapes.length + " calls each)");
                }
            }
        }
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
