package io.djlquant.kernels;

/**
 * Max and average pooling on quantized NCHW bytes. Output keeps the input's quantization parameters.
 * Arguments are assumed valid (checked by {@link Int8Kernels}).
 */
final class PoolKernels {

    /** Planes (one image channel each) per parallel task. */
    private static final int PLANES_PER_TASK = 8;

    private PoolKernels() {}

    /** Exact max over the window; padded positions are ignored (as -infinity). */
    static byte[] max(byte[] x, int batch, int ch, int h, int w, ActivationQuant q, int kh, int kw,
            ConvParams cp) {
        int outH = cp.outH(h, kh);
        int outW = cp.outW(w, kw);
        int planes = batch * ch;
        byte[] y = new byte[Checks.product("pool output", planes, outH, outW)];
        int mask = q.byteMask();
        KernelThreads.run((planes + PLANES_PER_TASK - 1) / PLANES_PER_TASK, t -> {
            int pEnd = Math.min(planes, (t + 1) * PLANES_PER_TASK);
            for (int pl = t * PLANES_PER_TASK; pl < pEnd; pl++) {
                int src = pl * h * w;
                int dst = pl * outH * outW;
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        int best = Integer.MIN_VALUE;
                        for (int dy = 0; dy < kh; dy++) {
                            int ih = oh * cp.strideH() - cp.padH() + dy * cp.dilationH();
                            if (ih < 0 || ih >= h) {
                                continue;
                            }
                            for (int dx = 0; dx < kw; dx++) {
                                int iw = ow * cp.strideW() - cp.padW() + dx * cp.dilationW();
                                if (iw >= 0 && iw < w) {
                                    best = Math.max(best, x[src + ih * w + iw] & mask);
                                }
                            }
                        }
                        // A dilated window can skip the whole input; qmin stands in for -infinity.
                        y[dst + oh * outW + ow] = (byte) (best == Integer.MIN_VALUE ? q.qmin() : best);
                    }
                }
            }
        });
        return y;
    }

    /**
     * Average: {@code zp + divRoundHalfEven(sum(q - zp), count)} clamped to [qmin, qmax], where the
     * sum runs over in-bounds taps (padding counts as the zero point, i.e. real 0) and {@code count}
     * is {@code kh*kw} with {@code countIncludePad}, else the number of in-bounds taps.
     */
    static byte[] avg(byte[] x, int batch, int ch, int h, int w, ActivationQuant q, int kh, int kw,
            ConvParams cp, boolean countIncludePad) {
        int outH = cp.outH(h, kh);
        int outW = cp.outW(w, kw);
        int planes = batch * ch;
        byte[] y = new byte[Checks.product("pool output", planes, outH, outW)];
        int mask = q.byteMask();
        int zp = q.zeroPoint();
        KernelThreads.run((planes + PLANES_PER_TASK - 1) / PLANES_PER_TASK, t -> {
            int pEnd = Math.min(planes, (t + 1) * PLANES_PER_TASK);
            for (int pl = t * PLANES_PER_TASK; pl < pEnd; pl++) {
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
        KernelThreads.run((planes + PLANES_PER_TASK - 1) / PLANES_PER_TASK, t -> {
            int pEnd = Math.min(planes, (t + 1) * PLANES_PER_TASK);
            for (int pl = t * PLANES_PER_TASK; pl < pEnd; pl++) {
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

    private static byte average(long sum, int count, ActivationQuant q) {
        long v = Requant.divRoundHalfEven(sum, count) + q.zeroPoint();
        return (byte) Math.max(q.qmin(), Math.min(q.qmax(), v));
    }
}
