package io.djlquant.kernels;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API implementation. Only ever loaded reflectively by {@link KernelSelector} after it has
 * checked that the {@code jdk.incubator.vector} module is in the boot layer; never reference this
 * class directly from other code. Uses the preferred species (AVX2/AVX-512/NEON/SVE) and scalar
 * tails instead of masks.
 */
final class PanamaInt8Impl implements Int8Impl {

    private static final VectorSpecies<Integer> S = IntVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public void gemmBroadcast(int[] w, int wOff, int m, int k, int[] col, int[] rowOff, int n, int[] acc) {
        int j = 0;
        // Register block: 4 output channels x 2 vectors of pixels = 8 accumulators.
        for (; j + 4 <= m; j += 4) {
            int r0 = wOff + j * k;
            int r1 = r0 + k;
            int r2 = r1 + k;
            int r3 = r2 + k;
            int o0 = j * n;
            int o1 = o0 + n;
            int o2 = o1 + n;
            int o3 = o2 + n;
            int p = 0;
            for (; p + 2 * L <= n; p += 2 * L) {
                IntVector a00 = IntVector.zero(S);
                IntVector a01 = a00;
                IntVector a10 = a00;
                IntVector a11 = a00;
                IntVector a20 = a00;
                IntVector a21 = a00;
                IntVector a30 = a00;
                IntVector a31 = a00;
                for (int kk = 0; kk < k; kk++) {
                    int c = rowOff[kk] + p;
                    IntVector c0 = IntVector.fromArray(S, col, c);
                    IntVector c1 = IntVector.fromArray(S, col, c + L);
                    int w0 = w[r0 + kk];
                    int w1 = w[r1 + kk];
                    int w2 = w[r2 + kk];
                    int w3 = w[r3 + kk];
                    a00 = a00.add(c0.mul(w0));
                    a01 = a01.add(c1.mul(w0));
                    a10 = a10.add(c0.mul(w1));
                    a11 = a11.add(c1.mul(w1));
                    a20 = a20.add(c0.mul(w2));
                    a21 = a21.add(c1.mul(w2));
                    a30 = a30.add(c0.mul(w3));
                    a31 = a31.add(c1.mul(w3));
                }
                a00.intoArray(acc, o0 + p);
                a01.intoArray(acc, o0 + p + L);
                a10.intoArray(acc, o1 + p);
                a11.intoArray(acc, o1 + p + L);
                a20.intoArray(acc, o2 + p);
                a21.intoArray(acc, o2 + p + L);
                a30.intoArray(acc, o3 + p);
                a31.intoArray(acc, o3 + p + L);
            }
            for (; p + L <= n; p += L) {
                IntVector a0 = IntVector.zero(S);
                IntVector a1 = a0;
                IntVector a2 = a0;
                IntVector a3 = a0;
                for (int kk = 0; kk < k; kk++) {
                    int c = rowOff[kk] + p;
                    IntVector c0 = IntVector.fromArray(S, col, c);
                    a0 = a0.add(c0.mul(w[r0 + kk]));
                    a1 = a1.add(c0.mul(w[r1 + kk]));
                    a2 = a2.add(c0.mul(w[r2 + kk]));
                    a3 = a3.add(c0.mul(w[r3 + kk]));
                }
                a0.intoArray(acc, o0 + p);
                a1.intoArray(acc, o1 + p);
                a2.intoArray(acc, o2 + p);
                a3.intoArray(acc, o3 + p);
            }
            for (; p < n; p++) {
                int s0 = 0;
                int s1 = 0;
                int s2 = 0;
                int s3 = 0;
                for (int kk = 0; kk < k; kk++) {
                    int c = rowOff[kk] + p;
                    int cv = col[c];
                    s0 += w[r0 + kk] * cv;
                    s1 += w[r1 + kk] * cv;
                    s2 += w[r2 + kk] * cv;
                    s3 += w[r3 + kk] * cv;
                }
                acc[o0 + p] = s0;
                acc[o1 + p] = s1;
                acc[o2 + p] = s2;
                acc[o3 + p] = s3;
            }
        }
        // Remaining 0..3 channels (and depthwise, where m == 1): one channel, 2 vectors at a time.
        for (; j < m; j++) {
            int r0 = wOff + j * k;
            int o0 = j * n;
            int p = 0;
            for (; p + 2 * L <= n; p += 2 * L) {
                IntVector a0 = IntVector.zero(S);
                IntVector a1 = a0;
                for (int kk = 0; kk < k; kk++) {
                    int c = rowOff[kk] + p;
                    int wv = w[r0 + kk];
                    a0 = a0.add(IntVector.fromArray(S, col, c).mul(wv));
                    a1 = a1.add(IntVector.fromArray(S, col, c + L).mul(wv));
                }
                a0.intoArray(acc, o0 + p);
                a1.intoArray(acc, o0 + p + L);
            }
            for (; p + L <= n; p += L) {
                IntVector a0 = IntVector.zero(S);
                for (int kk = 0; kk < k; kk++) {
                    int c = rowOff[kk] + p;
                    a0 = a0.add(IntVector.fromArray(S, col, c).mul(w[r0 + kk]));
                }
                a0.intoArray(acc, o0 + p);
            }
            for (; p < n; p++) {
                int s = 0;
                for (int kk = 0; kk < k; kk++) {
                    int c = rowOff[kk] + p;
                    s += w[r0 + kk] * col[c];
                }
                acc[o0 + p] = s;
            }
        }
    }

    @Override
    public void gemmDot(int[] w, int wOff, int m, int k, int[] x, int xOff, int[] acc, int accOff) {
        int bound = k - k % L;
        int j = 0;
        // Four weight rows share each loaded input vector.
        for (; j + 4 <= m; j += 4) {
            int r0 = wOff + j * k;
            int r1 = r0 + k;
            int r2 = r1 + k;
            int r3 = r2 + k;
            IntVector a0 = IntVector.zero(S);
            IntVector a1 = a0;
            IntVector a2 = a0;
            IntVector a3 = a0;
            int i = 0;
            for (; i < bound; i += L) {
                IntVector xv = IntVector.fromArray(S, x, xOff + i);
                a0 = a0.add(IntVector.fromArray(S, w, r0 + i).mul(xv));
                a1 = a1.add(IntVector.fromArray(S, w, r1 + i).mul(xv));
                a2 = a2.add(IntVector.fromArray(S, w, r2 + i).mul(xv));
                a3 = a3.add(IntVector.fromArray(S, w, r3 + i).mul(xv));
            }
            int s0 = a0.reduceLanes(VectorOperators.ADD);
            int s1 = a1.reduceLanes(VectorOperators.ADD);
            int s2 = a2.reduceLanes(VectorOperators.ADD);
            int s3 = a3.reduceLanes(VectorOperators.ADD);
            for (; i < k; i++) {
                int xv = x[xOff + i];
                s0 += w[r0 + i] * xv;
                s1 += w[r1 + i] * xv;
                s2 += w[r2 + i] * xv;
                s3 += w[r3 + i] * xv;
            }
            acc[accOff + j] = s0;
            acc[accOff + j + 1] = s1;
            acc[accOff + j + 2] = s2;
            acc[accOff + j + 3] = s3;
        }
        for (; j < m; j++) {
            int r0 = wOff + j * k;
            IntVector a0 = IntVector.zero(S);
            int i = 0;
            for (; i < bound; i += L) {
                a0 = a0.add(IntVector.fromArray(S, w, r0 + i).mul(IntVector.fromArray(S, x, xOff + i)));
            }
            int s = a0.reduceLanes(VectorOperators.ADD);
            for (; i < k; i++) {
                s += w[r0 + i] * x[xOff + i];
            }
            acc[accOff + j] = s;
        }
    }
}
