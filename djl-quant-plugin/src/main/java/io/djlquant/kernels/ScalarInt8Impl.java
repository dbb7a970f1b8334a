package io.djlquant.kernels;

/** Plain Java loops; the reference the SIMD implementation must match bit for bit. */
final class ScalarInt8Impl implements Int8Impl {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gemmBroadcast(byte[] w, int wOff, int m, int k, int[] col, int[] rowOff, int n, int[] acc) {
        for (int j = 0; j < m; j++) {
            int base = j * n;
            int wRow = wOff + j * k;
            java.util.Arrays.fill(acc, base, base + n, 0);
            for (int kk = 0; kk < k; kk++) {
                int wv = w[wRow + kk];
                if (wv == 0) {
                    continue; // zero weights (common after pruning / in padding taps) add nothing
                }
                int c = rowOff[kk];
                // Simple counted loop over contiguous ints: C2 auto-vectorises it.
                for (int p = 0; p < n; p++) {
                    acc[base + p] += wv * col[c + p];
                }
            }
        }
    }

    @Override
    public void gemmPairs(int[] w, int wOff, int m, int kp, short[] col, int[] rowOff, int n, int[] acc) {
        for (int j = 0; j < m; j++) {
            int base = j * n;
            int wRow = wOff + j * kp;
            java.util.Arrays.fill(acc, base, base + n, 0);
            for (int t = 0; t < kp; t++) {
                int pair = w[wRow + t];
                if (pair == 0) {
                    continue; // both weights zero (e.g. the padding channel of an odd channel count)
                }
                int w0 = (short) pair;
                int w1 = pair >> 16;
                int c = rowOff[t];
                for (int p = 0; p < n; p++) {
                    acc[base + p] += w0 * col[c + 2 * p] + w1 * col[c + 2 * p + 1];
                }
            }
        }
    }

    @Override
    public void gemmDot(byte[] w, int wOff, int m, int k, int[] x, int xOff, int[] acc, int accOff) {
        for (int j = 0; j < m; j++) {
            int row = wOff + j * k;
            int s = 0;
            for (int i = 0; i < k; i++) {
                s += w[row + i] * x[xOff + i];
            }
            acc[accOff + j] = s;
        }
    }

    @Override
    public void requantRow(int[] acc, int src, int bias, float m, int zp, int lo, int hi, byte[] y, int dst,
            int len) {
        for (int i = 0; i < len; i++) {
            y[dst + i] = Requant.requant(acc[src + i] + bias, m, zp, lo, hi);
        }
    }
}
