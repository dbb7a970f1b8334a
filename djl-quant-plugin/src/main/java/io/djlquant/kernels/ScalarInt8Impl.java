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
    public int minTileColumns() {
        return 256;
    }

    @Override
    public void gemmBroadcast(
            byte[] w, int wOff, int m, int k, int[] col, int[] rowOff, int n, int[] acc) {
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

    /*
     * Without the Vector API this is what every app runs, so the product is shaped for C2's
     * auto-vectorizer, which (JDK 17 and 25, measured) vectorizes a loop whose arrays are all
     * indexed by the loop variable alone, but not one whose arrays sit at different invariant
     * offsets (acc[base + p] += ... col[c + p]: 6-14x slower). So each right-hand row is copied to
     * the start of its own array (four at a time), and each output channel accumulates in its own
     * array, all indexed by p; the accumulators are copied out at the end. Four pair rows per pass
     * over the accumulators load and store them once per 8 multiply-adds.
     */
    @Override
    public void gemmPairs(
            int[] w, int wOff, int m, int kp, int[] col, int[] rowOff, int n, int[] acc) {
        int[][] rows = Scratch.rows(m + 4, n);
        int[] ua = rows[m];
        int[] ub = rows[m + 1];
        int[] uc = rows[m + 2];
        int[] ud = rows[m + 3];
        for (int j = 0; j < m; j++) {
            java.util.Arrays.fill(rows[j], 0, n, 0);
        }
        int t = 0;
        for (; t + 4 <= kp; t += 4) {
            System.arraycopy(col, rowOff[t], ua, 0, n);
            System.arraycopy(col, rowOff[t + 1], ub, 0, n);
            System.arraycopy(col, rowOff[t + 2], uc, 0, n);
            System.arraycopy(col, rowOff[t + 3], ud, 0, n);
            for (int j = 0; j < m; j++) {
                int r = wOff + j * kp + t;
                pairs4(rows[j], ua, ub, uc, ud, w[r], w[r + 1], w[r + 2], w[r + 3], n);
            }
        }
        for (; t < kp; t++) {
            System.arraycopy(col, rowOff[t], ua, 0, n);
            for (int j = 0; j < m; j++) {
                pairs1(rows[j], ua, w[wOff + j * kp + t], n);
            }
        }
        for (int j = 0; j < m; j++) {
            System.arraycopy(rows[j], 0, acc, j * n, n);
        }
    }

    /** {@code a[p] += } the four pair products of {@code ua..ud[p]} with weight pairs pa..pd. */
    private static void pairs4(
            int[] a,
            int[] ua,
            int[] ub,
            int[] uc,
            int[] ud,
            int pa,
            int pb,
            int pc,
            int pd,
            int n) {
        int a0 = (pa & 0xFFFF) - 128;
        int a1 = pa >> 16;
        int b0 = (pb & 0xFFFF) - 128;
        int b1 = pb >> 16;
        int c0 = (pc & 0xFFFF) - 128;
        int c1 = pc >> 16;
        int d0 = (pd & 0xFFFF) - 128;
        int d1 = pd >> 16;
        for (int p = 0; p < n; p++) {
            int x = ua[p];
            int y = ub[p];
            int z = uc[p];
            int v = ud[p];
            a[p] +=
                    a0 * (x & 0xFFFF)
                            + a1 * (x >>> 16)
                            + b0 * (y & 0xFFFF)
                            + b1 * (y >>> 16)
                            + c0 * (z & 0xFFFF)
                            + c1 * (z >>> 16)
                            + d0 * (v & 0xFFFF)
                            + d1 * (v >>> 16);
        }
    }

    /** {@code a[p] += } the pair product of {@code u[p]} with weight pair {@code pair}. */
    private static void pairs1(int[] a, int[] u, int pair, int n) {
        int w0 = (pair & 0xFFFF) - 128;
        int w1 = pair >> 16;
        for (int p = 0; p < n; p++) {
            int x = u[p];
            a[p] += w0 * (x & 0xFFFF) + w1 * (x >>> 16);
        }
    }

    @Override
    public void gemmDot(
            byte[] w, int wOff, int m, int k, int[] x, int xOff, int[] acc, int accOff) {
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
    public void requantRow(
            int[] acc,
            int src,
            int bias,
            float m,
            int zp,
            int lo,
            int hi,
            byte[] y,
            int dst,
            int len) {
        for (int i = 0; i < len; i++) {
            y[dst + i] = Requant.requant(acc[src + i] + bias, m, zp, lo, hi);
        }
    }

    @Override
    public void addRow(
            byte[] a,
            ActivationQuant qa,
            byte[] b,
            ActivationQuant qb,
            float so,
            int zo,
            int lo,
            int hi,
            byte[] y,
            int off,
            int len) {
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
    public void quantizeRow(
            float[] x, float scale, int zp, int lo, int hi, byte[] y, int off, int len) {
        for (int i = off; i < off + len; i++) {
            y[i] = Requant.quantize(x[i], scale, zp, lo, hi);
        }
    }

    @Override
    public void packPairs(byte[] x, int ia, int ib, int step, int flip, int[] dst, int d, int len) {
        for (int j = 0; j < len; j++) {
            dst[d + j] =
                    ((x[ia + j * step] ^ flip) & 0xFF) | ((x[ib + j * step] ^ flip) & 0xFF) << 16;
        }
    }

    @Override
    public void widenPairs(byte[] src, int s, int[] dst, int d, int len) {
        for (int i = 0; i < len; i++) {
            dst[d + i] = (src[s + 2 * i] + 128) | src[s + 2 * i + 1] << 16;
        }
    }
}
