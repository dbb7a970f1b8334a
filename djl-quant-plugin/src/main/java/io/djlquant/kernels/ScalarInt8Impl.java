package io.djlquant.kernels;

/** Plain Java loops; the reference the SIMD implementation must match bit for bit. */
final class ScalarInt8Impl implements Int8Impl {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int intLanes() {
        return 1;
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
    public void gemmPairs(int[] w, int wOff, int m, int kp, int[] col, int[] rowOff, int n, int[] acc) {
        for (int j = 0; j < m; j++) {
            int base = j * n;
            int wRow = wOff + j * kp;
            java.util.Arrays.fill(acc, base, base + n, 0);
            for (int t = 0; t < kp; t++) {
                int pair = w[wRow + t];
                int w0 = (pair & 0xFFFF) - 128;
                int w1 = pair >> 16;
                if (w0 == 0 && w1 == 0) {
                    continue; // e.g. the padding channel of an odd channel count next to a zero weight
                }
                int c = rowOff[t];
                for (int p = 0; p < n; p++) {
                    int u = col[c + p];
                    acc[base + p] += w0 * (u & 0xFFFF) + w1 * (u >>> 16);
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

    @Override
    public void addRow(byte[] a, ActivationQuant qa, byte[] b, ActivationQuant qb, float so, int zo, int lo,
            int hi, byte[] y, int off, int len) {
        int ma = qa.byteMask();
        int mb = qb.byteMask();
        int za = qa.zeroPoint();
        int zb = qb.zeroPoint();
        float sa = qa.scale();
        float sb = qb.scale();
        for (int i = off; i < off + len; i++) {
            float fa = ((a[i] & ma) - za) * sa;
            float fb = ((b[i] & mb) - zb) * sb;
            y[i] = Requant.quantize(fa + fb, so, zo, lo, hi);
        }
    }

    @Override
    public void maxRows(byte[] x, int off, int flip, byte[] rows, int len, boolean first) {
        if (first) {
            for (int i = 0; i < len; i++) {
                rows[i] = (byte) (x[off + i] ^ flip);
            }
        } else {
            for (int i = 0; i < len; i++) {
                rows[i] = (byte) Math.max(rows[i], (byte) (x[off + i] ^ flip));
            }
        }
    }

    @Override
    public void max3Stride2(byte[] rows, int start, int flip, byte[] y, int dst, int count) {
        for (int j = 0; j < count; j++) {
            int s = start + 2 * j;
            y[dst + j] = (byte) (Math.max(Math.max(rows[s], rows[s + 1]), rows[s + 2]) ^ flip);
        }
    }

    @Override
    public void quantizeRow(float[] x, float scale, int zp, int lo, int hi, byte[] y, int off, int len) {
        for (int i = off; i < off + len; i++) {
            y[i] = Requant.quantize(x[i], scale, zp, lo, hi);
        }
    }

    @Override
    public void packPairs(byte[] x, int ia, int ib, int step, int flip, int[] dst, int d, int len) {
        for (int j = 0; j < len; j++) {
            dst[d + j] = ((x[ia + j * step] ^ flip) & 0xFF) | ((x[ib + j * step] ^ flip) & 0xFF) << 16;
        }
    }

    @Override
    public void widenPairs(byte[] src, int s, int[] dst, int d, int len) {
        for (int i = 0; i < len; i++) {
            dst[d + i] = (src[s + 2 * i] + 128) | src[s + 2 * i + 1] << 16;
        }
    }
}
