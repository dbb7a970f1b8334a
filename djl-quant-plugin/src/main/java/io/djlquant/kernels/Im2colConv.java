package io.djlquant.kernels;

/**
 * General conv2d path: output columns are (image, pixel) pairs of the whole batch, so small late
 * layers still fill whole vectors with several images. For each (group, tile of columns, channel
 * chunk) the input window values are gathered into an int matrix, multiplied with the packed
 * weights, then requantized. With more than one input channel per group this is {@link #runPairs}
 * (pair product, unsigned values and a weight-sum correction in the bias); with one (grouped or
 * strided depthwise) the values {@code x - zpIn} are gathered (padding contributes 0, i.e. the
 * input zero point) for the int32 product.
 */
final class Im2colConv {

    private Im2colConv() {}

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
        if (w.pairChunks != null) {
            return runPairs(impl, x, batch, inH, inW, in, w, cp, m, out, relu);
        }
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
        final byte[] y = new byte[Checks.product("conv output", batch, oc, pixels)];
        final int cols = batch * pixels; // fits: y has oc >= 1 times as many elements
        final int tileWidth = ConvKernel.tileWidth(k, cols, impl.minTileColumns());
        final TaskGrid grid = TaskGrid.of(g, cols, tileWidth, ocg, ConvKernel::channelChunk);
        final int mask = in.byteMask();
        final int zpIn = in.zeroPoint();
        final int zpOut = out.zeroPoint();
        final int lo = Requant.lower(out, relu);
        final int hi = out.qmax();
        KernelThreads.run(
                grid.tasks(),
                task -> {
                    int grp = grid.group(task);
                    int q0 = grid.firstColumn(task);
                    int nq = grid.columnCount(task);
                    int j0 = grid.firstChannel(task);
                    int nj = grid.channelCount(task);
                    // Rows are nqc >= nq columns wide, the extra ones zero: the product then runs
                    // on whole
                    // vectors only (no scalar pixel tail) and the extra outputs are ignored.
                    int nqc = ConvKernel.roundColumns(nq);
                    int[] col = Scratch.ints(0, k * nqc);
                    int[] acc = Scratch.ints(1, nj * nqc);
                    int[] rowOff = Scratch.ints(2, k);
                    for (int kk = 0; kk < k; kk++) {
                        rowOff[kk] = kk * nqc;
                        java.util.Arrays.fill(col, kk * nqc + nq, (kk + 1) * nqc, 0);
                    }
                    // One gather per image segment of the tile.
                    for (int q = q0, end = q0 + nq; q < end; ) {
                        int n = q / pixels;
                        int p = q - n * pixels;
                        int run = Math.min(pixels - p, end - q);
                        int chanBase = (n * c + grp * cg) * inH * inW;
                        im2col(
                                x, chanBase, cg, inH, inW, kh, kw, cp, outW, p, run, q - q0, nqc,
                                mask, zpIn, col);
                        q += run;
                    }
                    impl.gemmBroadcast(
                            w.weights, (grp * ocg + j0) * k, nj, k, col, rowOff, nqc, acc);
                    for (int j = 0; j < nj; j++) {
                        int o = grp * ocg + j0 + j;
                        int b = w.bias == null ? 0 : w.bias[o];
                        float mo = m[o];
                        for (int q = q0, end = q0 + nq; q < end; ) {
                            int n = q / pixels;
                            int p = q - n * pixels;
                            int run = Math.min(pixels - p, end - q);
                            impl.requantRow(
                                    acc,
                                    j * nqc + q - q0,
                                    b,
                                    mo,
                                    zpOut,
                                    lo,
                                    hi,
                                    y,
                                    (n * oc + o) * pixels + p,
                                    run);
                            q += run;
                        }
                    }
                });
        return y;
    }

    /**
     * Gathers rows (ic, kh, kw) x output pixels [p0, p0+np) of one image's {@code x - zp} into
     * columns starting at {@code colOff}, each row {@code stride} ints apart; outside the image is
     * 0.
     */
    private static void im2col(
            byte[] x,
            int chanBase,
            int cg,
            int inH,
            int inW,
            int kh,
            int kw,
            ConvParams cp,
            int outW,
            int p0,
            int np,
            int colOff,
            int stride,
            int mask,
            int zp,
            int[] col) {
        int plane = inH * inW;
        int row = colOff;
        for (int ic = 0; ic < cg; ic++) {
            int chan = chanBase + ic * plane;
            for (int dy = 0; dy < kh; dy++) {
                int offH = dy * cp.dilationH() - cp.padH();
                for (int dx = 0; dx < kw; dx++, row += stride) {
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
                            // Run positions r in [rLo, rHi) read inside the row; the rest is
                            // padding.
                            int rLo = iw0 >= 0 ? 0 : Math.min(run, ceilDiv(-iw0, sw));
                            int rHi =
                                    iw0 >= inW
                                            ? rLo
                                            : Math.max(rLo, Math.min(run, ceilDiv(inW - iw0, sw)));
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

    /**
     * The same convolution with the pair product ({@link Int8Impl#gemmPairs}): the tile is gathered
     * as rows of packed channel pairs, pair row t = (icPair, kh, kw) holding the unsigned values u
     * of channels 2*icPair (low half) and 2*icPair + 1 (high half; 0 for the missing channel of an
     * odd count) of each column, matching {@link PackedConvWeights#pairChunks}. u is the byte read
     * as unsigned after flipping the sign bit of signed formats, so {@code x - zpIn = u - zpU} with
     * {@code zpU = zpIn + flip}; padding is zpU, and {@code -zpU * sum(w)} joins the bias.
     */
    static byte[] runPairs(
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
        final int ocg = oc / g;
        final int kh = w.kernelH();
        final int kw = w.kernelW();
        final int k = w.rowLength();
        final boolean rowOrder = w.rowOrderPairs();
        final int outH = cp.outH(inH, kh);
        final int outW = cp.outW(inW, kw);
        // Taps that read only padding for every output (8 of 9 for a 3x3 conv on a 1x1 map) add
        // (zpU - zpU) * w = 0: they are left out of the gather, the weights and the bias
        // correction.
        final int[] taps = rowOrder ? null : readingTaps(inH, inW, outH, outW, kh, kw, cp);
        final int kp = rowOrder ? w.rowPairLength() : (cg + 1) / 2 * taps.length;
        final int pixels = outH * outW;
        final byte[] y = new byte[Checks.product("conv output", batch, oc, pixels)];
        final int cols = batch * pixels;
        final int tileWidth =
                ConvKernel.tileWidth(Math.min(k, 2 * kp), cols, impl.minTileColumns());
        final TaskGrid grid = TaskGrid.of(g, cols, tileWidth, ocg, ConvKernel::channelChunk);
        final int tile = grid.tile();
        final int tiles = grid.tiles();
        final boolean allTaps = taps == null || taps.length == kh * kw;
        final PairTerms pt = PairTerms.of(w, in, out, relu, taps);
        final int tileCols = ConvKernel.roundColumns(tile);
        // With channel chunks, each tile is gathered once up front and shared by its chunks
        // (gathering
        // per task repeated it per chunk: measured on the stride-2 layers, gathering then took half
        // as
        // long as the product). Otherwise each task gathers its own tile into thread-local scratch.
        final int[] shared =
                grid.chunks() > 1
                        ? Scratch.ints(
                                Scratch.SHARED,
                                Checks.product("gathered tiles", g * tiles, kp, tileCols))
                        : null;
        if (shared != null) {
            KernelThreads.run(
                    g * tiles,
                    task ->
                            gatherTile(
                                    x,
                                    task / tiles,
                                    task % tiles,
                                    tile,
                                    cols,
                                    pixels,
                                    c,
                                    cg,
                                    inH,
                                    inW,
                                    kh,
                                    kw,
                                    cp,
                                    outW,
                                    kp,
                                    rowOrder,
                                    taps,
                                    pt.flip(),
                                    pt.zpU(),
                                    shared,
                                    task * kp * tileCols,
                                    tileCols));
        }
        KernelThreads.run(
                grid.tasks(),
                task -> {
                    int grp = grid.group(task);
                    int t = grid.tileIndex(task);
                    int q0 = grid.firstColumn(task);
                    int nq = grid.columnCount(task);
                    int j0 = grid.firstChannel(task);
                    int nj = grid.channelCount(task);
                    int nqc = ConvKernel.roundColumns(nq);
                    int[] acc = Scratch.ints(1, nj * nqc);
                    int[] rowOff = Scratch.ints(2, kp);
                    int[] col;
                    if (shared != null) {
                        col = shared;
                        for (int r = 0; r < kp; r++) {
                            rowOff[r] =
                                    (grp * tiles + t) * kp * tileCols
                                            + r * tileCols; // this tile's gather
                        }
                    } else {
                        col = Scratch.ints(0, kp * nqc);
                        gatherTile(
                                x, grp, t, tile, cols, pixels, c, cg, inH, inW, kh, kw, cp, outW,
                                kp, rowOrder, taps, pt.flip(), pt.zpU(), col, 0, nqc);
                        for (int r = 0; r < kp; r++) {
                            rowOff[r] = r * nqc;
                        }
                    }
                    int[] wq = Scratch.ints(Scratch.WEIGHTS, nj * kp);
                    if (rowOrder) {
                        w.widenRowPairs(grp * ocg + j0, nj, wq);
                    } else if (allTaps) {
                        w.widenPairs(impl, grp * ocg + j0, nj, wq);
                    } else {
                        w.widenPairs(grp * ocg + j0, nj, taps, wq);
                    }
                    impl.gemmPairs(wq, 0, nj, kp, col, rowOff, nqc, acc);
                    for (int j = 0; j < nj; j++) {
                        int o = grp * ocg + j0 + j;
                        float mo = m[o];
                        for (int q = q0, end = q0 + nq; q < end; ) {
                            int n = q / pixels;
                            int p = q - n * pixels;
                            int run = Math.min(pixels - p, end - q);
                            impl.requantRow(
                                    acc,
                                    j * nqc + q - q0,
                                    pt.bias()[o],
                                    mo,
                                    pt.zpOut(),
                                    pt.lo(),
                                    pt.hi(),
                                    y,
                                    (n * oc + o) * pixels + p,
                                    run);
                            q += run;
                        }
                    }
                });
        return y;
    }

    /**
     * Gathers tile t of group grp into {@code col}: pair row r at {@code off + r*stride}, columns
     * [0, nq) the tile's (image, pixel) positions and [nq, roundColumns(nq)) zpU pairs (computed by
     * the product and ignored, but kept in range).
     */
    private static void gatherTile(
            byte[] x,
            int grp,
            int t,
            int tile,
            int cols,
            int pixels,
            int c,
            int cg,
            int inH,
            int inW,
            int kh,
            int kw,
            ConvParams cp,
            int outW,
            int kp,
            boolean rowOrder,
            int[] taps,
            int flip,
            int zpU,
            int[] col,
            int off,
            int stride) {
        int q0 = t * tile;
        int nq = Math.min(tile, cols - q0);
        int nqc = ConvKernel.roundColumns(nq);
        int padPair = zpU | zpU << 16;
        for (int r = 0; r < kp; r++) {
            java.util.Arrays.fill(col, off + r * stride + nq, off + r * stride + nqc, padPair);
        }
        for (int q = q0, end = q0 + nq; q < end; ) {
            int n = q / pixels;
            int p = q - n * pixels;
            int run = Math.min(pixels - p, end - q);
            int chanBase = (n * c + grp * cg) * inH * inW;
            if (rowOrder) {
                im2colRowPairs(
                        x,
                        chanBase,
                        cg,
                        inH,
                        inW,
                        kh,
                        kw,
                        cp,
                        outW,
                        p,
                        run,
                        off + q - q0,
                        stride,
                        flip,
                        zpU,
                        col);
            } else {
                im2colPairs(
                        x,
                        chanBase,
                        cg,
                        inH,
                        inW,
                        kw,
                        taps,
                        cp,
                        outW,
                        p,
                        run,
                        off + q - q0,
                        stride,
                        flip,
                        zpU,
                        col);
            }
            q += run;
        }
    }

    /**
     * Gather for {@link PackedConvWeights#widenRowPairs}: pair row t holds rows k = 2t (low half)
     * and 2t+1 (high half; none past an odd K, whose weight is 0) of the (ic, kh, kw) order.
     */
    private static void im2colRowPairs(
            byte[] x,
            int chanBase,
            int cg,
            int inH,
            int inW,
            int kh,
            int kw,
            ConvParams cp,
            int outW,
            int p0,
            int np,
            int colOff,
            int stride,
            int flip,
            int zpU,
            int[] col) {
        int plane = inH * inW;
        int k = cg * kh * kw;
        for (int kk = 0; kk < k; kk++) {
            int ic = kk / (kh * kw);
            int dy = kk / kw % kh;
            int dx = kk % kw;
            gatherTap(
                    x,
                    chanBase + ic * plane,
                    inH,
                    inW,
                    dy * cp.dilationH() - cp.padH(),
                    dx * cp.dilationW() - cp.padW(),
                    cp,
                    outW,
                    p0,
                    np,
                    flip,
                    zpU,
                    col,
                    colOff + kk / 2 * stride,
                    (kk & 1) == 1);
        }
    }

    /**
     * One tap of one channel over output pixels [p0, p0+np): writes u into {@code col[dst + q]}, or
     * with {@code high} ORs {@code u << 16} into it; outside the image u is zpU.
     */
    private static void gatherTap(
            byte[] x,
            int chan,
            int inH,
            int inW,
            int offH,
            int offW,
            ConvParams cp,
            int outW,
            int p0,
            int np,
            int flip,
            int zpU,
            int[] col,
            int dst,
            boolean high) {
        int shift = high ? 16 : 0;
        int pad = zpU << shift;
        int oh = p0 / outW;
        int ow = p0 % outW;
        int sw = cp.strideW();
        for (int q = 0; q < np; ) {
            int run = Math.min(outW - ow, np - q);
            int ih = oh * cp.strideH() + offH;
            int d = dst + q;
            int iw0 = ow * sw + offW;
            int rLo = run;
            int rHi = run;
            if (ih >= 0 && ih < inH) {
                rLo = iw0 >= 0 ? 0 : Math.min(run, ceilDiv(-iw0, sw));
                rHi = iw0 >= inW ? rLo : Math.max(rLo, Math.min(run, ceilDiv(inW - iw0, sw)));
            }
            int src = chan + ih * inW + iw0;
            if (high) {
                for (int r = 0; r < rLo; r++) {
                    col[d + r] |= pad;
                }
                for (int r = rLo; r < rHi; r++) {
                    col[d + r] |= ((x[src + r * sw] ^ flip) & 0xFF) << 16;
                }
                for (int r = rHi; r < run; r++) {
                    col[d + r] |= pad;
                }
            } else {
                for (int r = 0; r < rLo; r++) {
                    col[d + r] = pad;
                }
                for (int r = rLo; r < rHi; r++) {
                    col[d + r] = (x[src + r * sw] ^ flip) & 0xFF;
                }
                for (int r = rHi; r < run; r++) {
                    col[d + r] = pad;
                }
            }
            q += run;
            ow = 0;
            oh++;
        }
    }

    /** 0x80 for signed formats (u = x + 128), 0 for unsigned (u = x). */
    static int unsignedFlip(ActivationQuant in) {
        return in.qmin() < 0 ? 0x80 : 0;
    }

    /**
     * Bias for the pair product over the given taps only: {@code bias[o] - zpU * sum(w[o] over
     * taps)}; the left-out taps' {@code -zpU * w} and {@code zpU * w} (their padding) cancel.
     */
    static int[] pairBias(PackedConvWeights w, int zpU, int[] taps) {
        int[] sums = w.weightSums(taps);
        int[] b = new int[w.outChannels()];
        for (int o = 0; o < b.length; o++) {
            b[o] = (w.bias == null ? 0 : w.bias[o]) - zpU * sums[o];
        }
        return b;
    }

    /**
     * Bias for the pair product: {@code bias[o] - zpU * sum(w[o])} (wrapping, like the product).
     */
    static int[] pairBias(PackedConvWeights w, int zpU) {
        int[] b = new int[w.outChannels()];
        for (int o = 0; o < b.length; o++) {
            b[o] = (w.bias == null ? 0 : w.bias[o]) - zpU * w.weightSums[o];
        }
        return b;
    }

    /**
     * Pair-row gather: for pair row (icp, dy, dx) and output pixels [p0, p0+np) of one image,
     * writes {@code u(2*icp) | u(2*icp+1) << 16} starting at column {@code colOff} of rows {@code
     * stride} ints apart; positions outside the image read as zpU.
     */
    private static void im2colPairs(
            byte[] x,
            int chanBase,
            int cg,
            int inH,
            int inW,
            int kw,
            int[] taps,
            ConvParams cp,
            int outW,
            int p0,
            int np,
            int colOff,
            int stride,
            int flip,
            int zpU,
            int[] col) {
        int plane = inH * inW;
        int cgp = (cg + 1) / 2;
        int row = colOff;
        for (int icp = 0; icp < cgp; icp++) {
            int chanA = chanBase + 2 * icp * plane;
            // The missing channel of an odd count has zero weights; read channel A again for it.
            int chanB = 2 * icp + 1 < cg ? chanA + plane : chanA;
            for (int tap : taps) {
                int offH = tap / kw * cp.dilationH() - cp.padH();
                int offW = tap % kw * cp.dilationW() - cp.padW();
                gatherPairRow(
                        x, chanA, chanB, inH, inW, offH, offW, cp, outW, p0, np, flip, zpU, col,
                        row);
                row += stride;
            }
        }
    }

    /**
     * The taps {@code dy * kw + dx}, in order, that read inside the image for at least one output
     * position: along each axis some output row (column) must land in [0, in).
     */
    static int[] readingTaps(int inH, int inW, int outH, int outW, int kh, int kw, ConvParams cp) {
        boolean[] rows = reads(inH, outH, kh, cp.strideH(), cp.padH(), cp.dilationH());
        boolean[] cols = reads(inW, outW, kw, cp.strideW(), cp.padW(), cp.dilationW());
        int n = 0;
        int[] taps = new int[kh * kw];
        for (int dy = 0; dy < kh; dy++) {
            for (int dx = 0; dx < kw; dx++) {
                if (rows[dy] && cols[dx]) {
                    taps[n++] = dy * kw + dx;
                }
            }
        }
        return java.util.Arrays.copyOf(taps, n);
    }

    /**
     * Per kernel offset d along one axis: whether {@code o*stride - pad + d*dil} is in [0, in) for
     * some o.
     */
    private static boolean[] reads(int in, int out, int k, int stride, int pad, int dil) {
        boolean[] r = new boolean[k];
        for (int d = 0; d < k; d++) {
            for (int o = 0; o < out && !r[d]; o++) {
                int i = o * stride - pad + d * dil;
                r[d] = i >= 0 && i < in;
            }
        }
        return r;
    }

    /** One pair tap over output pixels [p0, p0+np) into {@code col[dst + q]}. */
    private static void gatherPairRow(
            byte[] x,
            int chanA,
            int chanB,
            int inH,
            int inW,
            int offH,
            int offW,
            ConvParams cp,
            int outW,
            int p0,
            int np,
            int flip,
            int zpU,
            int[] col,
            int dst) {
        int padPair = zpU | zpU << 16;
        int oh = p0 / outW;
        int ow = p0 % outW;
        int sw = cp.strideW();
        int q = 0;
        while (q < np) {
            int run = Math.min(outW - ow, np - q);
            int ih = oh * cp.strideH() + offH;
            int d = dst + q;
            if (ih < 0 || ih >= inH) {
                java.util.Arrays.fill(col, d, d + run, padPair);
            } else {
                int iw0 = ow * sw + offW;
                int rLo = iw0 >= 0 ? 0 : Math.min(run, ceilDiv(-iw0, sw));
                int rHi = iw0 >= inW ? rLo : Math.max(rLo, Math.min(run, ceilDiv(inW - iw0, sw)));
                java.util.Arrays.fill(col, d, d + rLo, padPair);
                java.util.Arrays.fill(col, d + rHi, d + run, padPair);
                int a = chanA + ih * inW + iw0;
                int b = chanB + ih * inW + iw0;
                if (sw == 1) {
                    for (int r = rLo; r < rHi; r++) {
                        col[d + r] = ((x[a + r] ^ flip) & 0xFF) | ((x[b + r] ^ flip) & 0xFF) << 16;
                    }
                } else {
                    for (int r = rLo; r < rHi; r++) {
                        col[d + r] =
                                ((x[a + r * sw] ^ flip) & 0xFF)
                                        | ((x[b + r * sw] ^ flip) & 0xFF) << 16;
                    }
                }
            }
            q += run;
            ow = 0;
            oh++;
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
