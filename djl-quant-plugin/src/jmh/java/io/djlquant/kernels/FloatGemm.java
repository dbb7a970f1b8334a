package io.djlquant.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp32 reference products with exactly the shape of {@link Int8Impl#gemmBroadcast} (benchmark
 * only): {@code acc[j*n + p] = sum_kk w[wOff + j*k + kk] * col[rowOff[kk] + p]}. {@link #simd} uses
 * the same 6 x 2 register blocking as the int8 SIMD kernel with {@code FloatVector.fma}; {@link
 * #plain} is the plain-Java row update {@code acc[p] = Math.fma(w, col[p], acc[p])} that C2 may
 * auto-vectorise.
 */
final class FloatGemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private FloatGemm() {}

    static void simd(
            float[] w, int wOff, int m, int k, float[] col, int[] rowOff, int n, float[] acc) {
        int j = 0;
        for (; j + 6 <= m; j += 6) {
            int r0 = wOff + j * k;
            int r1 = r0 + k;
            int r2 = r1 + k;
            int r3 = r2 + k;
            int r4 = r3 + k;
            int r5 = r4 + k;
            int o = j * n;
            int p = 0;
            for (; p + 2 * L <= n; p += 2 * L) {
                FloatVector a00 = FloatVector.zero(S);
                FloatVector a01 = a00;
                FloatVector a10 = a00;
                FloatVector a11 = a00;
                FloatVector a20 = a00;
                FloatVector a21 = a00;
                FloatVector a30 = a00;
                FloatVector a31 = a00;
                FloatVector a40 = a00;
                FloatVector a41 = a00;
                FloatVector a50 = a00;
                FloatVector a51 = a00;
                for (int kk = 0; kk < k; kk++) {
                    int c = rowOff[kk] + p;
                    FloatVector c0 = FloatVector.fromArray(S, col, c);
                    FloatVector c1 = FloatVector.fromArray(S, col, c + L);
                    FloatVector b = FloatVector.broadcast(S, w[r0 + kk]);
                    a00 = c0.fma(b, a00);
                    a01 = c1.fma(b, a01);
                    b = FloatVector.broadcast(S, w[r1 + kk]);
                    a10 = c0.fma(b, a10);
                    a11 = c1.fma(b, a11);
                    b = FloatVector.broadcast(S, w[r2 + kk]);
                    a20 = c0.fma(b, a20);
                    a21 = c1.fma(b, a21);
                    b = FloatVector.broadcast(S, w[r3 + kk]);
                    a30 = c0.fma(b, a30);
                    a31 = c1.fma(b, a31);
                    b = FloatVector.broadcast(S, w[r4 + kk]);
                    a40 = c0.fma(b, a40);
                    a41 = c1.fma(b, a41);
                    b = FloatVector.broadcast(S, w[r5 + kk]);
                    a50 = c0.fma(b, a50);
                    a51 = c1.fma(b, a51);
                }
                a00.intoArray(acc, o + p);
                a01.intoArray(acc, o + p + L);
                a10.intoArray(acc, o + n + p);
                a11.intoArray(acc, o + n + p + L);
                a20.intoArray(acc, o + 2 * n + p);
                a21.intoArray(acc, o + 2 * n + p + L);
                a30.intoArray(acc, o + 3 * n + p);
                a31.intoArray(acc, o + 3 * n + p + L);
                a40.intoArray(acc, o + 4 * n + p);
                a41.intoArray(acc, o + 4 * n + p + L);
                a50.intoArray(acc, o + 5 * n + p);
                a51.intoArray(acc, o + 5 * n + p + L);
            }
            for (int jj = j; jj < j + 6; jj++) {
                row(w, wOff + jj * k, k, col, rowOff, p, n, acc, jj * n);
            }
        }
        for (; j < m; j++) {
            row(w, wOff + j * k, k, col, rowOff, 0, n, acc, j * n);
        }
    }

    /** One row from pixel p0: vectors, then scalars (remainder rows, as the int8 kernel does). */
    private static void row(
            float[] w, int r, int k, float[] col, int[] rowOff, int p0, int n, float[] acc, int o) {
        int p = p0;
        for (; p + 2 * L <= n; p += 2 * L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            for (int kk = 0; kk < k; kk++) {
                int c = rowOff[kk] + p;
                FloatVector b = FloatVector.broadcast(S, w[r + kk]);
                a0 = FloatVector.fromArray(S, col, c).fma(b, a0);
                a1 = FloatVector.fromArray(S, col, c + L).fma(b, a1);
            }
            a0.intoArray(acc, o + p);
            a1.intoArray(acc, o + p + L);
        }
        for (; p + L <= n; p += L) {
            FloatVector a0 = FloatVector.zero(S);
            for (int kk = 0; kk < k; kk++) {
                a0 =
                        FloatVector.fromArray(S, col, rowOff[kk] + p)
                                .fma(FloatVector.broadcast(S, w[r + kk]), a0);
            }
            a0.intoArray(acc, o + p);
        }
        scalarRow(w, r, k, col, rowOff, p, n, acc, o);
    }

    private static void scalarRow(
            float[] w, int r, int k, float[] col, int[] rowOff, int p0, int n, float[] acc, int o) {
        for (int p = p0; p < n; p++) {
            float s = 0f;
            for (int kk = 0; kk < k; kk++) {
                s = Math.fma(w[r + kk], col[rowOff[kk] + p], s);
            }
            acc[o + p] = s;
        }
    }

    static void plain(
            float[] w, int wOff, int m, int k, float[] col, int[] rowOff, int n, float[] acc) {
        for (int j = 0; j < m; j++) {
            int base = j * n;
            java.util.Arrays.fill(acc, base, base + n, 0f);
            for (int kk = 0; kk < k; kk++) {
                float wv = w[wOff + j * k + kk];
                int c = rowOff[kk];
                for (int p = 0; p < n; p++) {
                    acc[base + p] = Math.fma(wv, col[c + p], acc[base + p]);
                }
            }
        }
    }
}
