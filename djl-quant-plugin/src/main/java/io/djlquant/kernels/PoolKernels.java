package io.djlquant.kernels;

/**
 * Max and average pooling on quantized NCHW bytes. Output keeps the input's quantization
 * parameters. Arguments are assumed valid (checked by {@link Int8Kernels}).
 */
final class PoolKernels {

    /** Planes (one image channel each) per parallel task. */
    private static final int PLANES_PER_TASK = 8;

    /** Fewest input values per task of the pools. */
    private static final int TASK_VALUES = 4096;

    private PoolKernels() {}

    /**
     * Exact max over the window; padded positions are ignored (as -infinity). Separable: for each
     * output row, first the max over the window's valid input rows at every input column ({@link
     * Int8Impl#maxRows}), then over the window's valid columns at the output's stride ({@link
     * Int8Impl#max3Stride2} for ResNet's 3-wide stride-2 window inside the row, scalar otherwise).
     * Unsigned bytes are compared with their sign bit flipped (order preserving).
     */
    static byte[] max(
            Int8Impl impl,
            byte[] x,
            int batch,
            int ch,
            int h,
            int w,
            ActivationQuant q,
            int kh,
            int kw,
            ConvParams cp) {
        int outH = cp.outH(h, kh);
        int outW = cp.outW(w, kw);
        int planes = batch * ch;
        byte[] y = new byte[Checks.product("pool output", planes, outH, outW)];
        int flip = q.qmin() < 0 ? 0 : 0x80;
        byte empty = (byte) q.qmin(); // a dilated window can skip the whole input: qmin stands
        // in for -inf
        int sw = cp.strideW();
        int dw = cp.dilationW();
        // Outputs [inLo, inHi) have their whole window inside the row: no bounds tests.
        int inLo = Math.min(outW, (cp.padW() + sw - 1) / sw);
        int inHi =
                Math.max(
                        inLo,
                        Math.min(outW, Math.floorDiv(w - 1 - (kw - 1) * dw + cp.padW(), sw) + 1));
        boolean window3Stride2 = kw == 3 && sw == 2 && dw == 1;
        int perTask = planesPerTask(h * w);
        KernelThreads.run(
                (planes + perTask - 1) / perTask,
                t -> {
                    byte[] rows =
                            Scratch.bytes(
                                    Scratch.POOL_ROW, w + 16); // slack for max3Stride2's reads
                    int pEnd = Math.min(planes, (t + 1) * perTask);
                    for (int pl = t * perTask; pl < pEnd; pl++) {
                        int src = pl * h * w;
                        int dst = pl * outH * outW;
                        for (int oh = 0; oh < outH; oh++) {
                            int ih0 = oh * cp.strideH() - cp.padH();
                            boolean any = false;
                            for (int dy = 0; dy < kh; dy++) {
                                int ih = ih0 + dy * cp.dilationH();
                                if (ih >= 0 && ih < h) {
                                    impl.maxRows(x, src + ih * w, flip, rows, w, !any);
                                    any = true;
                                }
                            }
                            int d = dst + oh * outW;
                            if (!any) {
                                java.util.Arrays.fill(y, d, d + outW, empty);
                                continue;
                            }
                            int ow = 0;
                            if (window3Stride2) {
                                edges(rows, w, cp, kw, flip, empty, y, d, 0, inLo);
                                impl.max3Stride2(
                                        rows, inLo * 2 - cp.padW(), flip, y, d + inLo, inHi - inLo);
                                ow = inHi;
                            }
                            for (; ow < outW; ow++) {
                                int iw0 = ow * sw - cp.padW();
                                int best;
                                if (ow >= inLo && ow < inHi) {
                                    best = rows[iw0];
                                    for (int dx = 1; dx < kw; dx++) {
                                        best = Math.max(best, rows[iw0 + dx * dw]);
                                    }
                                    y[d + ow] = (byte) (best ^ flip);
                                } else {
                                    edges(rows, w, cp, kw, flip, empty, y, d, ow, ow + 1);
                                }
                            }
                        }
                    }
                });
        return y;
    }

    /** Outputs [from, to) of one row with bounds tests (windows that reach into the padding). */
    private static void edges(
            byte[] rows,
            int w,
            ConvParams cp,
            int kw,
            int flip,
            byte empty,
            byte[] y,
            int d,
            int from,
            int to) {
        for (int ow = from; ow < to; ow++) {
            int iw0 = ow * cp.strideW() - cp.padW();
            int best = Integer.MIN_VALUE;
            for (int dx = 0; dx < kw; dx++) {
                int iw = iw0 + dx * cp.dilationW();
                if (iw >= 0 && iw < w) {
                    best = Math.max(best, rows[iw]);
                }
            }
            y[d + ow] = best == Integer.MIN_VALUE ? empty : (byte) (best ^ flip);
        }
    }

    /**
     * Average: {@code zp + divRoundHalfEven(sum(q - zp), count)} clamped to [qmin, qmax], where the
     * sum runs over in-bounds taps (padding counts as the zero point, i.e. real 0) and {@code
     * count} is {@code kh*kw} with {@code countIncludePad}, else the number of in-bounds taps.
     */
    static byte[] avg(
            byte[] x,
            int batch,
            int ch,
            int h,
            int w,
            ActivationQuant q,
            int kh,
            int kw,
            ConvParams cp,
            boolean countIncludePad) {
        int outH = cp.outH(h, kh);
        int outW = cp.outW(w, kw);
        int planes = batch * ch;
        byte[] y = new byte[Checks.product("pool output", planes, outH, outW)];
        int mask = q.byteMask();
        int zp = q.zeroPoint();
        int perTask = planesPerTask(h * w);
        KernelThreads.run(
                (planes + perTask - 1) / perTask,
                t -> {
                    int pEnd = Math.min(planes, (t + 1) * perTask);
                    for (int pl = t * perTask; pl < pEnd; pl++) {
                        int src = pl * h * w;
                        int dst = pl * outH * outW;
                        for (int oh = 0; oh < outH; oh++) {
                            for (int ow = 0; ow < outW; ow++) {
                                int sum = 0;
                                int valid = 0;
                                for (int dy = 0; dy < kh; dy++) {
                                    int ih = oh * cp.strideH() - cp.padH() + dy;
                                    if (ih < 0 || ih >= h) {
                                        continue;
                                    }
                                    for (int dx = 0; dx < kw; dx++) {
                                        int iw = ow * cp.strideW() - cp.padW() + dx;
                                        if (iw >= 0 && iw < w) {
                                            sum += (x[src + ih * w + iw] & mask) - zp;
                                            valid++;
                                        }
                                    }
                                }
                                int count = countIncludePad ? kh * kw : valid;
                                y[dst + oh * outW + ow] = average(sum, count, q);
                            }
                        }
                    }
                });
        return y;
    }

    /** Mean over each whole plane: N x C x H x W to N x C. */
    static byte[] globalAvg(byte[] x, int batch, int ch, int h, int w, ActivationQuant q) {
        int planes = batch * ch;
        int size = h * w;
        byte[] y = new byte[planes];
        int mask = q.byteMask();
        int zp = q.zeroPoint();
        int perTask = planesPerTask(h * w);
        KernelThreads.run(
                (planes + perTask - 1) / perTask,
                t -> {
                    int pEnd = Math.min(planes, (t + 1) * perTask);
                    for (int pl = t * perTask; pl < pEnd; pl++) {
                        long sum = 0;
                        int src = pl * size;
                        for (int i = 0; i < size; i++) {
                            sum += (x[src + i] & mask) - zp;
                        }
                        y[pl] = average(sum, size, q);
                    }
                });
        return y;
    }

    /**
     * Planes per task of the pools: at least {@link #TASK_VALUES} inputs. On ResNet18's 1x1 last
     * map (32x32 inputs, batch 100) tasks of 8 one-pixel planes cost more to hand out than to sum
     * (1.5 ms per batch). Depends on the shape only, never on the thread count.
     */
    private static int planesPerTask(int planeSize) {
        return Math.max(PLANES_PER_TASK, TASK_VALUES / Math.max(1, planeSize));
    }

    private static byte average(long sum, int count, ActivationQuant q) {
        long v = Requant.divRoundHalfEven(sum, count) + q.zeroPoint();
        return (byte) Math.max(q.qmin(), Math.min(q.qmax(), v));
    }
}
