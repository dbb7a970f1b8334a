package io.djlquant.kernels;

/**
 * Convolution of a large batch of small images (32x32 inputs: maps of 16x16 down to 1x1) without a
 * gather: the batch is copied once into padded int planes of channel pairs with the image as the
 * innermost index ({@code [pair plane][padded row][padded column][image]}, values as in {@link
 * Im2colConv#runPairs}, padding zpU), so that for one output pixel the right-hand rows of {@link
 * Int8Impl#gemmPairs} over the images are contiguous runs of that copy, one per (channel pair,
 * tap), for any stride and dilation. The product's columns are the images of one output pixel.
 *
 * <p>Why: with image-major columns ({@link Im2colConv}) a tile's gather walks runs of one output
 * row (1 to 8 values on these maps), and measured on ResNet18 at 32x32, batch 100, the gather took
 * 40% of the im2col time; {@link ShiftedConv} multiplies one image at a time, whose few columns
 * fill a fraction of a vector. Taps that read only padding are left out as in {@link Im2colConv}. A
 * task's outputs are collected per (channel, image) and written to NCHW as runs of its pixels.
 */
final class BatchInnerConv {

    /** Smallest batch for this path: the product's columns are the images. */
    static final int MIN_BATCH = 16;

    /**
     * Largest output map (pixels) for this path. Measured in one process against the other paths on
     * ResNet18's layers at 32x32, batch 100 (minimum of 40 calls): the 3x3 convs to maps of 4x4 and
     * below 20-40% faster, those to 8x8 3% slower, so larger maps go to the other paths.
     */
    static final int MAX_PIXELS = 16;

    /** Images per pass: bounds the copy (at most 128 x pair planes x padded pixels ints). */
    private static final int PASS_IMAGES = 128;

    /**
     * Largest block of widened weights (ints) per task: stays in L2 while the task's pixels use it.
     */
    private static final int WEIGHT_BLOCK_INTS = 1 << 16;

    /** Tasks wanted per pass: several per thread, so that uneven shares even out. */
    private static final int TASKS = 16;

    private BatchInnerConv() {}

    /**
     * Whether a convolution with {@code cg} input channels per group and a kernel of {@code taps}
     * taps takes this path. Not 1x1 kernels: their im2col gather is a plain copy, while the copy
     * here would take every input pixel of a strided one (measured: the stride-2 downsamples 35-60%
     * slower).
     */
    static boolean applies(int cg, int taps, int batch, int outH, int outW) {
        return cg > 1 && taps > 1 && batch >= MIN_BATCH && (long) outH * outW <= MAX_PIXELS;
    }

    static byte[] run(
            Int8Impl impl,
            byte[] x,
            int batch,
            int inH,
            int inW,
            ActivationQuant in,
            PackedConvWeights w,
            ConvParams cp,
            float[] m,
            ActivationQuant out,
            boolean relu) {
        final int c = w.inChannels();
        final int oc = w.outChannels();
        final int g = w.groups();
        final int cg = c / g;
        final int cgp = (cg + 1) / 2;
        final int ocg = oc / g;
        final int kw = w.kernelW();
        final int outH = cp.outH(inH, w.kernelH());
        final int outW = cp.outW(inW, kw);
        final int pixels = outH * outW;
        final int[] taps = Im2colConv.readingTaps(inH, inW, outH, outW, w.kernelH(), kw, cp);
        final boolean allTaps = taps.length == w.kernelH() * kw;
        final int kp = cgp * taps.length;
        final PairTerms pt = PairTerms.of(w, in, out, relu, taps);
        final int padH = inH + 2 * cp.padH();
        final int padW = inW + 2 * cp.padW();
        final int passes = (batch + PASS_IMAGES - 1) / PASS_IMAGES;
        final int pass =
                (batch + passes - 1) / passes; // images per pass, the stride between pixels
        final int passCols = ConvKernel.roundColumns(pass);
        final int plane = Checks.product("padded pair plane", padH, padW, pass);
        final int planes = g * cgp;
        // The product reads up to COLUMN_QUANTUM - 1 columns past the last image of the last pixel.
        final int length =
                Checks.product("padded batch", planes, plane) + ConvKernel.COLUMN_QUANTUM;
        final int[] u = Scratch.ints(Scratch.SHARED, length);
        java.util.Arrays.fill(
                u, 0, length, pt.zpU() | pt.zpU() << 16); // the borders keep it across passes
        // Per pair row t = (icp, tap): its offset from a pixel's anchor (oh*sh, ow*sw) in a group's
        // planes.
        final int[] rowShift = new int[kp];
        for (int icp = 0, t = 0; icp < cgp; icp++) {
            for (int tap : taps) {
                int dy = tap / kw * cp.dilationH();
                int dx = tap % kw * cp.dilationW();
                rowShift[t++] = icp * plane + (dy * padW + dx) * pass;
            }
        }
        final TapClasses tapClasses =
                TapClasses.of(taps, cgp, outH, outW, inH, inW, w.kernelW(), cp);
        // Channel chunks that keep a task's widened weights in L2, and pixel ranges, about TASKS in
        // all.
        int chunk = Math.min(ocg, Math.max(4, WEIGHT_BLOCK_INTS / kp & ~3));
        int wantedChunks = (TASKS + g * pixels - 1) / (g * pixels);
        if (wantedChunks > 1) {
            chunk =
                    Math.min(
                            chunk,
                            Math.max(16, ((ocg + wantedChunks - 1) / wantedChunks + 3) & ~3));
        }
        final int chunkCh = Math.min(chunk, ocg);
        final int chunks = (ocg + chunkCh - 1) / chunkCh;
        final int ranges = Math.max(1, Math.min(pixels, (TASKS + g * chunks - 1) / (g * chunks)));
        final byte[] y = new byte[Checks.product("conv output", batch, oc, pixels)];
        final int image = inH * inW;
        for (int first = 0; first < batch; first += pass) {
            final int n0 = first;
            final int count = Math.min(pass, batch - first);
            // Copy: one task per pair plane; writes run along the images of a pixel.
            KernelThreads.run(
                    planes,
                    pp -> {
                        int grp = pp / cgp;
                        int icp = pp % cgp;
                        int chA = grp * cg + 2 * icp;
                        int chB =
                                2 * icp + 1 < cg
                                        ? chA + 1
                                        : chA; // odd count: zero weights for the copy
                        int dst0 = pp * plane + (cp.padH() * padW + cp.padW()) * pass;
                        for (int n = 0; n < count; n++) {
                            int a = ((n0 + n) * c + chA) * image;
                            int b = ((n0 + n) * c + chB) * image;
                            for (int ih = 0; ih < inH; ih++) {
                                int d = dst0 + ih * padW * pass + n;
                                for (int iw = 0; iw < inW; iw++, d += pass) {
                                    int s = ih * inW + iw;
                                    u[d] =
                                            ((x[a + s] ^ pt.flip()) & 0xFF)
                                                    | ((x[b + s] ^ pt.flip()) & 0xFF) << 16;
                                }
                            }
                        }
                    });
            KernelThreads.run(
                    g * chunks * ranges,
                    task -> {
                        int grp = task / (chunks * ranges);
                        int j0 = task / ranges % chunks * chunkCh;
                        int r = task % ranges;
                        int nj = Math.min(chunkCh, ocg - j0);
                        int p0 = r * pixels / ranges;
                        int p1 = (r + 1) * pixels / ranges;
                        int[] wq = Scratch.ints(Scratch.WEIGHTS, nj * kp);
                        if (allTaps) {
                            w.widenPairs(impl, grp * ocg + j0, nj, wq);
                        } else {
                            w.widenPairs(grp * ocg + j0, nj, taps, wq);
                        }
                        int[] acc = Scratch.ints(1, nj * passCols);
                        int[] rowOff = Scratch.ints(2, kp);
                        byte[] row = Scratch.bytes(Scratch.REQUANT_ROW, passCols);
                        // The task's outputs as [channel][image][pixel]: each (image, channel) is
                        // then one run of
                        // p1 - p0 bytes of y. Stored straight into y, one byte per image oc *
                        // pixels apart, they
                        // missed the cache at every store (measured: the 7x7 stem at batch 100 took
                        // twice as long).
                        int np = p1 - p0;
                        byte[] block = Scratch.bytes(Scratch.OUT_BLOCK, nj * count * np);
                        int group0 = grp * cgp * plane;
                        int[] bias = new int[nj];
                        for (int cls = 0; cls < tapClasses.rows().length; cls++) {
                            int[] rows = tapClasses.rows()[cls];
                            int[] wc = wq;
                            int kc = kp;
                            boolean used = false;
                            for (int p = p0; p < p1; p++) {
                                if (tapClasses.of()[p] != cls) {
                                    continue;
                                }
                                if (!used) {
                                    used = true;
                                    for (int j = 0; j < nj; j++) {
                                        bias[j] = pt.bias()[grp * ocg + j0 + j];
                                    }
                                    if (rows != null) {
                                        kc = rows.length;
                                        wc =
                                                Scratch.ints(
                                                        Scratch.TAP_WEIGHTS, Math.max(1, nj * kc));
                                        tapClasses.select(wq, nj, kp, rows, wc, pt.zpU(), bias);
                                    }
                                }
                                int oh = p / outW;
                                int ow = p - oh * outW;
                                int anchor =
                                        group0
                                                + (oh * cp.strideH() * padW + ow * cp.strideW())
                                                        * pass;
                                for (int t = 0; t < kc; t++) {
                                    rowOff[t] = anchor + rowShift[rows == null ? t : rows[t]];
                                }
                                if (kc == 0) {
                                    java.util.Arrays.fill(acc, 0, nj * passCols, 0);
                                } else {
                                    impl.gemmPairs(wc, 0, nj, kc, u, rowOff, passCols, acc);
                                }
                                for (int j = 0; j < nj; j++) {
                                    int o = grp * ocg + j0 + j;
                                    impl.requantRow(
                                            acc,
                                            j * passCols,
                                            bias[j],
                                            m[o],
                                            pt.zpOut(),
                                            pt.lo(),
                                            pt.hi(),
                                            row,
                                            0,
                                            passCols);
                                    for (int n = 0, b = j * count * np + p - p0;
                                            n < count;
                                            n++, b += np) {
                                        block[b] = row[n];
                                    }
                                }
                            }
                        }
                        for (int j = 0; j < nj; j++) {
                            int o = grp * ocg + j0 + j;
                            for (int n = 0; n < count; n++) {
                                System.arraycopy(
                                        block,
                                        (j * count + n) * np,
                                        y,
                                        ((n0 + n) * oc + o) * pixels + p0,
                                        np);
                            }
                        }
                    });
        }
        return y;
    }
}
