package io.djlquant.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The output pixels of a small map grouped by which of a convolution's kept taps read input for
 * them: on a 2x2 map a 3x3 kernel keeps all 9 taps (each is read by some pixel) but every pixel
 * reads only 4, and on 4x4 the border pixels read 4 or 6. {@link BatchInnerConv} multiplies one
 * pixel at a time, so it can leave out the rows of a pixel's padding taps: the same integer sums
 * with the padding products {@code w * zpU} taken out of the bias instead (exact, as the kept-taps
 * bias of {@link PairTerms}).
 *
 * @param of per output pixel, the index of its class
 * @param rows per class, the product rows (pair index {@code icp * taps + k}, ascending) its pixels
 *     multiply, or null where that is every row
 */
record TapClasses(int[] of, int[][] rows) {

    /**
     * Groups the pixels of an {@code outH x outW} map.
     *
     * @param taps the kept taps (kernel offsets {@code dy * kw + dx}), as {@link
     *     Im2colConv#readingTaps}
     * @param cgp the channel pairs per group: rows are {@code icp * taps.length + k}
     */
    static TapClasses of(
            int[] taps, int cgp, int outH, int outW, int inH, int inW, int kw, ConvParams cp) {
        int pixels = outH * outW;
        int[] of = new int[pixels];
        List<boolean[]> masks = new ArrayList<>();
        for (int p = 0; p < pixels; p++) {
            int oh = p / outW;
            int ow = p % outW;
            boolean[] reads = new boolean[taps.length];
            for (int k = 0; k < taps.length; k++) {
                int ih = oh * cp.strideH() - cp.padH() + taps[k] / kw * cp.dilationH();
                int iw = ow * cp.strideW() - cp.padW() + taps[k] % kw * cp.dilationW();
                reads[k] = ih >= 0 && ih < inH && iw >= 0 && iw < inW;
            }
            int cls = 0;
            while (cls < masks.size() && !Arrays.equals(masks.get(cls), reads)) {
                cls++;
            }
            if (cls == masks.size()) {
                masks.add(reads);
            }
            of[p] = cls;
        }
        int[][] rows = new int[masks.size()][];
        for (int c = 0; c < rows.length; c++) {
            boolean[] reads = masks.get(c);
            int kept = 0;
            for (boolean b : reads) {
                kept += b ? 1 : 0;
            }
            if (kept == taps.length) {
                continue; // null: all rows
            }
            int[] r = new int[cgp * kept];
            for (int icp = 0, i = 0; icp < cgp; icp++) {
                for (int k = 0; k < taps.length; k++) {
                    if (reads[k]) {
                        r[i++] = icp * taps.length + k;
                    }
                }
            }
            rows[c] = r;
        }
        return new TapClasses(of, rows);
    }

    /**
     * Copies the listed rows of {@code nj} widened weight rows ({@code kp} pairs each, {@link
     * Int8Impl#widenPairs}' form) to {@code dst} and adds to {@code bias[j]} what the left-out rows
     * would have contributed on padding: {@code zpU * sum(w0 + w1)} over them.
     */
    void select(int[] wq, int nj, int kp, int[] rows, int[] dst, int zpU, int[] bias) {
        int kc = rows.length;
        for (int j = 0; j < nj; j++) {
            int src = j * kp;
            int d = j * kc;
            int total = 0;
            for (int t = 0; t < kp; t++) {
                int v = wq[src + t];
                total += (v & 0xFFFF) - 128 + (v >> 16);
            }
            int kept = 0;
            for (int i = 0; i < kc; i++) {
                int v = wq[src + rows[i]];
                dst[d + i] = v;
                kept += (v & 0xFFFF) - 128 + (v >> 16);
            }
            bias[j] += zpU * (total - kept);
        }
    }
}
