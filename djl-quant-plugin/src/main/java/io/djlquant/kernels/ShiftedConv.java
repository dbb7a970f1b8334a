package io.djlquant.kernels;

/**
 * Convolution without a gather: each image is copied once into padded int planes of channel pairs
 * (pair plane icp of a group holds {@code u(2*icp) | u(2*icp+1) << 16}, u the unsigned byte value as
 * in {@link Im2colConv#runPairs}; padding holds zpU, the missing channel of an odd count too), so
 * that every right-hand-side pair row of {@link Int8Impl#gemmPairs} is a shifted view of those
 * planes. With stride s a pair plane is stored as its s x s phases (phase (py, px) holds the padded
 * positions (i*s + py, j*s + px) at (i, j), each phase {@code phaseW = ceil(padW / s)} wide): output
 * (oh, ow) maps to flat index {@code oh*phaseW + ow} and tap (icp, dy, dx), with {@code ry = dy*dilH}
 * and {@code rx = dx*dilW}, to the constant shift of phase {@code (ry % s, rx % s)} plus
 * {@code (ry / s)*phaseW + rx / s}. Columns {@code ow >= outW} are computed and discarded. Used with
 * at least 2 channels per group (one channel per group is {@link DepthwiseConv} or
 * {@link Im2colConv}).
 */
final class ShiftedConv {

    private ShiftedConv() {}

    /** Width of one phase of a padded plane: {@code ceil((inW + 2*padW) / strideW)}. */
    static int phaseWidth(int inW, ConvParams cp) {
        return (inW + 2 * cp.padW() + cp.strideW() - 1) / cp.strideW();
    }

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
        final int kp = w.pairRowLength();
        final int cgp = (cg + 1) / 2;
        final int outH = cp.outH(inH, kh);
        final int outW = cp.outW(inW, kw);
        final int sh = cp.strideH();
        final int sw = cp.strideW();
        final int phaseW = phaseWidth(inW, cp);
        final int phaseH = (inH + 2 * cp.padH() + sh - 1) / sh;
        final int phasePlane = Checks.product("padded phase", phaseH, phaseW);
        final int plane = Checks.product("padded plane", sh * sw, phasePlane);
        final int flat = outH * phaseW;
        final int flip = Im2colConv.unsignedFlip(in);
        final int zpU = in.zeroPoint() + flip;
        final int[] bias = Im2colConv.pairBias(w, zpU);
        // Reads of the discarded columns reach past the last phase by at most (kw-1)*dilW/s columns, plus
        // up to COLUMN_QUANTUM from the last tile being rounded up to whole vectors. The calling
        // thread's scratch (reused across calls: no per-call garbage); the tasks only read it.
        final int paddedLength = Checks.product("padded image", g * cgp, plane) + (kw - 1) * cp.dilationW()
                + ConvKernel.COLUMN_QUANTUM;
        final int[] padded = Scratch.ints(Scratch.SHARED, paddedLength);
        final int[] shifts = new int[kp];
        // Phases no tap reads (three of four for a 1x1 stride-2 conv) are neither filled nor copied;
        // only discarded columns may read them.
        final boolean[] used = new boolean[sh * sw];
        for (int icp = 0, t = 0; icp < cgp; icp++) {
            for (int dy = 0; dy < kh; dy++) {
                int ry = dy * cp.dilationH();
                for (int dx = 0; dx < kw; dx++, t++) {
                    int rx = dx * cp.dilationW();
                    int phase = (ry % sh) * sw + rx % sw;
                    used[phase] = true;
                    shifts[t] = icp * plane + phase * phasePlane + ry / sh * phaseW + rx / sw;
                }
            }
        }
        final int padPair = zpU | zpU << 16;
        for (int pp = 0; pp < g * cgp; pp++) {
            for (int phase = 0; phase < sh * sw; phase++) {
                if (used[phase]) {
                    int from = pp * plane + phase * phasePlane;
                    java.util.Arrays.fill(padded, from, from + phasePlane, padPair);
                }
            }
        }
        // The slack past the last plane is read by discarded columns only, but keep it in range.
        java.util.Arrays.fill(padded, g * cgp * plane, paddedLength, padPair);
        final TaskGrid grid = TaskGrid.of(g, flat, ConvKernel.tileWidth(k, flat), ocg,
                ConvKernel::shiftedChannelChunk);
        final byte[] y = new byte[Checks.product("conv output", batch, oc, outH, outW)];
        final int zpOut = out.zeroPoint();
        final int lo = Requant.lower(out, relu);
        final int hi = out.qmax();
        for (int n = 0; n < batch; n++) {
            // Only interior cells are written, so padding and slack keep zpU across images. One task
            // per pair plane: copied on the calling thread alone, the early layers' planes left the
            // other threads waiting (measured: 3% of a ResNet18 pass).
            final int img = n;
            KernelThreads.run(g * cgp, pp -> {
                int grp = pp / cgp;
                int icp = pp % cgp;
                int srcA = (img * c + grp * cg + 2 * icp) * inH * inW;
                int srcB = 2 * icp + 1 < cg ? srcA + inH * inW : srcA; // odd count: zero weights
                int dstPlane = pp * plane;
                for (int r = 0; r < inH; r++) {
                    int py = (r + cp.padH()) % sh;
                    if (sw == 1 && !used[py]) {
                        continue;
                    }
                    int rowBase = dstPlane + py * sw * phasePlane + (r + cp.padH()) / sh * phaseW;
                    int a = srcA + r * inW;
                    int b = srcB + r * inW;
                    if (sw == 1) {
                        impl.packPairs(x, a, b, 1, flip, padded, rowBase + cp.padW(), inW);
                        continue;
                    }
                    // Input column q lands in phase (q + padW) % sw at column (q + padW) / sw.
                    for (int q0 = 0; q0 < Math.min(sw, inW); q0++) {
                        int px = (q0 + cp.padW()) % sw;
                        if (used[py * sw + px]) {
                            impl.packPairs(x, a + q0, b + q0, sw, flip, padded,
                                    rowBase + px * phasePlane + (q0 + cp.padW()) / sw, (inW - q0 + sw - 1) / sw);
                        }
                    }
                }
            });
            KernelThreads.run(grid.tasks(), task -> {
                int grp = grid.group(task);
                int f0 = grid.firstColumn(task);
                int nf = grid.columnCount(task);
                int j0 = grid.firstChannel(task);
                int nj = grid.channelCount(task);
                int nfc = ConvKernel.roundColumns(nf); // whole vectors; extra columns are ignored
                int[] acc = Scratch.ints(1, nj * nfc);
                int[] rowOff = Scratch.ints(2, kp);
                int base = grp * cgp * plane + f0;
                for (int r = 0; r < kp; r++) {
                    rowOff[r] = shifts[r] + base;
                }
                int[] wq = Scratch.ints(Scratch.WEIGHTS, nj * kp);
                w.widenPairs(impl, grp * ocg + j0, nj, wq);
                impl.gemmPairs(wq, 0, nj, kp, padded, rowOff, nfc, acc);
                // The whole tile row is requantized (whole vectors; rows of 7-28 outputs left most
                // of it to the scalar tail), then its output columns are copied out.
                byte[] row = Scratch.bytes(Scratch.REQUANT_ROW, nfc);
                for (int j = 0; j < nj; j++) {
                    int o = grp * ocg + j0 + j;
                    impl.requantRow(acc, j * nfc, bias[o], m[o], zpOut, lo, hi, row, 0, nfc);
                    int dstPlane = (img * oc + o) * outH * outW;
                    // Walk the tile one padded row at a time; only columns ow < outW are outputs.
                    for (int f = f0, end = f0 + nf; f < end; ) {
                        int oh = f / phaseW;
                        int ow = f - oh * phaseW;
                        int run = Math.min(phaseW - ow, end - f);
                        int valid = Math.min(run, outW - ow);
                        if (valid > 0) {
                            System.arraycopy(row, f - f0, y, dstPlane + oh * outW + ow, valid);
                        }
                        f += run;
                    }
                }
            });
        }
        return y;
    }
}
