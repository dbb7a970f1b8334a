package io.djlquant.kernels;

/**
 * Quantized conv2d by tiled im2col: for each (image, group, tile of output pixels) the input window
 * values {@code x - zpIn} are gathered into an int matrix (padding contributes 0, i.e. the input zero
 * point), multiplied with the packed weights by the chosen {@link Int8Impl}, then requantized.
 * Subtracting the zero point while gathering makes the per-channel weight-sum correction unnecessary.
 * Depthwise-style convolutions (one input channel per output channel, unit horizontal stride) take a
 * direct path over a padded copy of the input plane instead.
 * Arguments are assumed valid (checked by {@link Int8Kernels}).
 */
final class ConvKernel {

    /** Target size of one gathered tile (ints): keeps it within L2 cache. */
    private static final int TILE_INTS = 1 << 16;

    private ConvKernel() {}

    static byte[] run(Int8Impl impl, byte[] x, int batch, int inH, int inW, ActivationQuant in,
            PackedConvWeights w, ConvParams cp, float[] m, ActivationQuant out, boolean relu) {
        final int c = w.inChannels();
        final int oc = w.outChannels();
        final int g = w.groups();
        final int cg = c / g;
        final int ocg = oc / g;
        final int kh = w.kernelH();
        final int kw = w.kernelW();
        final int k = w.rowLength();
        final int outH = cp.outH(inH, kh);
        final int outW = cp.outW(inW, kw);
        final int pixels = outH * outW;
        final int tile = tileWidth(k, pixels);
        final int tiles = (pixels + tile - 1) / tile;
        switch (strategy(w, cp, inW)) {
            case DEPTHWISE:
                return depthwise(impl, x, batch, inH, inW, in, w, cp, m, out, relu);
            case SHIFTED:
                return shifted(impl, x, batch, inH, inW, in, w, cp, m, out, relu);
            default:
                break;
        }
        final byte[] y = new byte[Checks.product("conv output", batch, oc, pixels)];
        final int mask = in.byteMask();
        final int zpIn = in.zeroPoint();
        final int zpOut = out.zeroPoint();
        final int lo = Requant.lower(out, relu);
        final int hi = out.qmax();
        final int chunk = channelChunk(ocg, batch * g * tiles);
        final int chunks = (ocg + chunk - 1) / chunk;
        KernelThreads.run(batch * g * tiles * chunks, task -> {
            int ch = task % chunks;
            int rest = task / chunks;
            int t = rest % tiles;
            rest /= tiles;
            int grp = rest % g;
            int n = rest / g;
            int p0 = t * tile;
            int np = Math.min(tile, pixels - p0);
            int j0 = ch * chunk;
            int nj = Math.min(chunk, ocg - j0);
            int[] col = Scratch.ints(0, k * np);
            int[] acc = Scratch.ints(1, nj * np);
            int[] rowOff = Scratch.ints(2, k);
            for (int kk = 0; kk < k; kk++) {
                rowOff[kk] = kk * np;
            }
            int chanBase = (n * c + grp * cg) * inH * inW;
            im2col(x, chanBase, cg, inH, inW, kh, kw, cp, outW, p0, np, mask, zpIn, col);
            impl.gemmBroadcast(w.weights, (grp * ocg + j0) * k, nj, k, col, rowOff, np, acc);
            for (int j = 0; j < nj; j++) {
                int o = grp * ocg + j0 + j;
                int b = w.bias == null ? 0 : w.bias[o];
                float mo = m[o];
                int dst = (n * oc + o) * pixels + p0;
                int src = j * np;
                for (int q = 0; q < np; q++) {
                    y[dst + q] = Requant.requant(acc[src + q] + b, mo, zpOut, lo, hi);
                }
            }
        });
        return y;
    }

    /** How a convolution is computed; see {@link #strategy}. */
    enum Strategy {
        /** One input channel per output channel, unit horizontal stride: {@link #depthwise}. */
        DEPTHWISE,
        /** Unit stride and little wasted width: {@link #shifted}. */
        SHIFTED,
        /** Everything else: gathered tiles. */
        IM2COL
    }

    static Strategy strategy(PackedConvWeights w, ConvParams cp, int inW) {
        int cg = w.inChannels() / w.groups();
        if (cg == 1 && cp.strideW() == 1) {
            return Strategy.DEPTHWISE;
        }
        int outW = cp.outW(inW, w.kernelW());
        int padW = inW + 2 * cp.padW();
        // The shifted path also computes the padW - outW columns no output needs; allow 25% waste.
        if (cp.strideH() == 1 && cp.strideW() == 1 && 4L * outW >= 3L * padW) {
            return Strategy.SHIFTED;
        }
        return Strategy.IM2COL;
    }

    /**
     * Unit-stride path without a gather: each image is copied once into zero-padded int planes of
     * {@code x - zpIn}; output position (oh, ow) maps to flat index {@code oh*padW + ow} and kernel tap
     * (ic, dy, dx) to the constant shift {@code ic*plane + dy*dilH*padW + dx*dilW}, so every
     * right-hand-side row of the product is a shifted view of the padded image. Columns
     * {@code ow >= outW} are computed and discarded.
     */
    private static byte[] shifted(Int8Impl impl, byte[] x, int batch, int inH, int inW, ActivationQuant in,
            PackedConvWeights w, ConvParams cp, float[] m, ActivationQuant out, boolean relu) {
        final int c = w.inChannels();
        final int oc = w.outChannels();
        final int g = w.groups();
        final int cg = c / g;
        final int ocg = oc / g;
        final int kh = w.kernelH();
        final int kw = w.kernelW();
        final int k = w.rowLength();
        final int outH = cp.outH(inH, kh);
        final int outW = cp.outW(inW, kw);
        final int padW = inW + 2 * cp.padW();
        final int padH = inH + 2 * cp.padH();
        final int plane = Checks.product("padded plane", padH, padW);
        final int flat = outH * padW;
        // Reads reach at most (kw-1)*dilW past the last plane (garbage columns of the last row).
        final int[] padded = new int[Checks.product("padded image", c, plane) + (kw - 1) * cp.dilationW()];
        final int[] shifts = new int[k];
        for (int ic = 0, kk = 0; ic < cg; ic++) {
            for (int dy = 0; dy < kh; dy++) {
                for (int dx = 0; dx < kw; dx++, kk++) {
                    shifts[kk] = ic * plane + dy * cp.dilationH() * padW + dx * cp.dilationW();
                }
            }
        }
        final int tile = tileWidth(k, flat);
        final int tiles = (flat + tile - 1) / tile;
        final int chunk = channelChunk(ocg, g * tiles);
        final int chunks = (ocg + chunk - 1) / chunk;
        final byte[] y = new byte[Checks.product("conv output", batch, oc, outH, outW)];
        final int mask = in.byteMask();
        final int zpIn = in.zeroPoint();
        final int zpOut = out.zeroPoint();
        final int lo = Requant.lower(out, relu);
        final int hi = out.qmax();
        for (int n = 0; n < batch; n++) {
            // Only interior cells are written, so padding and slack stay 0 across images.
            for (int ch = 0; ch < c; ch++) {
                int src = (n * c + ch) * inH * inW;
                for (int r = 0; r < inH; r++) {
                    int d = ch * plane + (r + cp.padH()) * padW + cp.padW();
                    int s = src + r * inW;
                    for (int q = 0; q < inW; q++) {
                        padded[d + q] = (x[s + q] & mask) - zpIn;
                    }
                }
            }
            final int img = n;
            KernelThreads.run(g * tiles * chunks, task -> {
                int chIdx = task % chunks;
                int rest = task / chunks;
                int t = rest % tiles;
                int grp = rest / tiles;
                int f0 = t * tile;
                int nf = Math.min(tile, flat - f0);
                int j0 = chIdx * chunk;
                int nj = Math.min(chunk, ocg - j0);
                int[] acc = Scratch.ints(1, nj * nf);
                int[] rowOff = Scratch.ints(2, k);
                int base = grp * cg * plane + f0;
                for (int kk = 0; kk < k; kk++) {
                    rowOff[kk] = shifts[kk] + base;
                }
                impl.gemmBroadcast(w.weights, (grp * ocg + j0) * k, nj, k, padded, rowOff, nf, acc);
                for (int j = 0; j < nj; j++) {
                    int o = grp * ocg + j0 + j;
                    int b = w.bias == null ? 0 : w.bias[o];
                    float mo = m[o];
                    int dstPlane = (img * oc + o) * outH * outW;
                    int oh = f0 / padW;
                    int ow = f0 - oh * padW;
                    for (int q = j * nf, end = q + nf; q < end; q++) {
                        if (ow < outW) {
                            y[dstPlane + oh * outW + ow] = Requant.requant(acc[q] + b, mo, zpOut, lo, hi);
                        }
                        if (++ow == padW) {
                            ow = 0;
                            oh++;
                        }
                    }
                }
            });
        }
        return y;
    }

    /**
     * Direct path when every output channel reads one input channel (depthwise, any channel
     * multiplier) and the horizontal stride is 1: the input plane is copied once per task into a
     * zero-padded int buffer of {@code x - zpIn}, then each output row is a sum of shifted rows.
     */
    private static byte[] depthwise(Int8Impl impl, byte[] x, int batch, int inH, int inW, ActivationQuant in,
            PackedConvWeights w, ConvParams cp, float[] m, ActivationQuant out, boolean relu) {
        final int c = w.inChannels();
        final int oc = w.outChannels();
        final int ocg = oc / c;
        final int kh = w.kernelH();
        final int kw = w.kernelW();
        final int outH = cp.outH(inH, kh);
        final int outW = cp.outW(inW, kw);
        final int padW = inW + 2 * cp.padW();
        final int padH = inH + 2 * cp.padH();
        final byte[] y = new byte[Checks.product("conv output", batch, oc, outH, outW)];
        final int mask = in.byteMask();
        final int zpIn = in.zeroPoint();
        final int zpOut = out.zeroPoint();
        final int lo = Requant.lower(out, relu);
        final int hi = out.qmax();
        final int taps = kh * kw;
        final int[] tapOff = new int[taps];
        for (int dy = 0, t = 0; dy < kh; dy++) {
            for (int dx = 0; dx < kw; dx++, t++) {
                tapOff[t] = dy * cp.dilationH() * padW + dx * cp.dilationW();
            }
        }
        KernelThreads.run(batch * oc, task -> {
            int o = task % oc;
            int n = task / oc;
            int[] plane = Scratch.ints(0, Checks.product("padded plane", padH, padW));
            int[] acc = Scratch.ints(1, outW);
            int[] rowOff = Scratch.ints(2, taps);
            java.util.Arrays.fill(plane, 0, padH * padW, 0);
            int src = (n * c + o / ocg) * inH * inW;
            for (int r = 0; r < inH; r++) {
                int d = (r + cp.padH()) * padW + cp.padW();
                int s = src + r * inW;
                for (int q = 0; q < inW; q++) {
                    plane[d + q] = (x[s + q] & mask) - zpIn;
                }
            }
            int b = w.bias == null ? 0 : w.bias[o];
            float mo = m[o];
            int wOff = o * kh * kw;
            for (int oh = 0; oh < outH; oh++) {
                int rowStart = oh * cp.strideH() * padW;
                for (int t = 0; t < taps; t++) {
                    rowOff[t] = tapOff[t] + rowStart;
                }
                // One channel; row t of the product is tap t's shifted view of the padded plane.
                impl.gemmBroadcast(w.weights, wOff, 1, taps, plane, rowOff, outW, acc);
                int dst = ((n * oc + o) * outH + oh) * outW;
                for (int q = 0; q < outW; q++) {
                    y[dst + q] = Requant.requant(acc[q] + b, mo, zpOut, lo, hi);
                }
            }
        });
        return y;
    }

    /**
     * Output channels per task. With few (image, group, tile) tasks (small late layers) the channels
     * are split too, so threads have work, at the price of repeating the gather per chunk. Any split
     * gives the same bytes (each output is computed by the same integer arithmetic).
     */
    static int channelChunk(int ocg, int otherTasks) {
        if (otherTasks >= 8 || ocg < 32) {
            return ocg;
        }
        int wanted = (8 + otherTasks - 1) / otherTasks;
        int chunk = (ocg + wanted - 1) / wanted;
        return Math.max(16, (chunk + 3) & ~3);
    }

    /** Pixels per tile: a multiple of 32 (whole vectors) sized so K x tile stays near TILE_INTS. */
    static int tileWidth(int k, int pixels) {
        int t = Math.max(32, Math.min(1024, TILE_INTS / k)) & ~31;
        return Math.min(t, pixels);
    }

    /** Gathers rows (ic, kh, kw) x output pixels [p0, p0+np) of {@code x - zp}; outside = 0. */
    private static void im2col(byte[] x, int chanBase, int cg, int inH, int inW, int kh, int kw,
            ConvParams cp, int outW, int p0, int np, int mask, int zp, int[] col) {
        int plane = inH * inW;
        int row = 0;
        for (int ic = 0; ic < cg; ic++) {
            int chan = chanBase + ic * plane;
            for (int dy = 0; dy < kh; dy++) {
                int offH = dy * cp.dilationH() - cp.padH();
                for (int dx = 0; dx < kw; dx++, row += np) {
                    int offW = dx * cp.dilationW() - cp.padW();
                    int oh = p0 / outW;
                    int ow = p0 % outW;
                    int q = 0;
                    // Walk output rows in runs so the row test happens once per run.
                    while (q < np) {
                        int run = Math.min(outW - ow, np - q);
                        int ih = oh * cp.strideH() + offH;
                        if (ih < 0 || ih >= inH) {
                            java.util.Arrays.fill(col, row + q, row + q + run, 0);
                        } else {
                            int sw = cp.strideW();
                            int iw0 = ow * sw + offW;
                            // Run positions r in [rLo, rHi) read inside the row; the rest is padding.
                            int rLo = iw0 >= 0 ? 0 : Math.min(run, ceilDiv(-iw0, sw));
                            int rHi = iw0 >= inW ? rLo : Math.max(rLo, Math.min(run, ceilDiv(inW - iw0, sw)));
                            int d = row + q;
                            java.util.Arrays.fill(col, d, d + rLo, 0);
                            java.util.Arrays.fill(col, d + rHi, d + run, 0);
                            int src = chan + ih * inW + iw0;
                            if (sw == 1) {
                                for (int r = rLo; r < rHi; r++) {
                                    col[d + r] = (x[src + r] & mask) - zp;
                                }
                            } else {
                                for (int r = rLo; r < rHi; r++) {
                                    col[d + r] = (x[src + r * sw] & mask) - zp;
                                }
                            }
                        }
                        q += run;
                        ow = 0;
                        oh++;
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
