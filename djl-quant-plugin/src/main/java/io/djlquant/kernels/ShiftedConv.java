package io.djlquant.kernels;

/**
 * Unit-stride path without a gather: each image is copied once into padded int planes of channel
 * pairs (plane icp of a group holds {@code u(2*icp) | u(2*icp+1) << 16}, u the unsigned byte value
 * as in {@link Im2colConv#runPairs}; padding holds zpU, the missing channel of an odd count too);
 * output position (oh, ow) maps to flat index {@code oh*padW + ow} and pair tap (icp, dy, dx) to the
 * constant shift {@code icp*plane + dy*dilH*padW + dx*dilW}, so every right-hand-side pair row of
 * {@link Int8Impl#gemmPairs} is a shifted view of the padded image. Columns
 * {@code ow >= outW} are computed and discarded. Only used with at least 2 channels per group (one
 * channel per group with unit stride is {@link DepthwiseConv}).
 */
final class ShiftedConv {

    private ShiftedConv() {}

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
        final int padW = inW + 2 * cp.padW();
        final int padH = inH + 2 * cp.padH();
        final int plane = Checks.product("padded plane", padH, padW);
        final int flat = outH * padW;
        // Reads reach (kw-1)*dilW columns past the last pair plane, plus up to COLUMN_QUANTUM columns
        // from the last tile being rounded up to whole vectors.
        final int flip = Im2colConv.unsignedFlip(in);
        final int zpU = in.zeroPoint() + flip;
        final int[] bias = Im2colConv.pairBias(w, zpU);
        // The calling thread's scratch (reused across calls: no per-call garbage); the tasks only read it.
        final int paddedLength = Checks.product("padded image", g * cgp, plane) + (kw - 1) * cp.dilationW()
                + ConvKernel.COLUMN_QUANTUM;
        final int[] padded = Scratch.ints(Scratch.SHARED, paddedLength);
        java.util.Arrays.fill(padded, 0, paddedLength, zpU | zpU << 16);
        final int[] shifts = new int[kp];
        for (int icp = 0, t = 0; icp < cgp; icp++) {
            for (int dy = 0; dy < kh; dy++) {
                for (int dx = 0; dx < kw; dx++, t++) {
                    shifts[t] = icp * plane + dy * cp.dilationH() * padW + dx * cp.dilationW();
                }
            }
        }
        final int tile = ConvKernel.tileWidth(k, flat);
        final int tiles = (flat + tile - 1) / tile;
        final int chunk = ConvKernel.channelChunk(ocg, g * tiles);
        final int chunks = (ocg + chunk - 1) / chunk;
        final byte[] y = new byte[Checks.product("conv output", batch, oc, outH, outW)];
        final int zpOut = out.zeroPoint();
        final int lo = Requant.lower(out, relu);
        final int hi = out.qmax();
        for (int n = 0; n < batch; n++) {
            // Only interior cells are written, so padding and slack keep zpU across images.
            for (int grp = 0; grp < g; grp++) {
                for (int icp = 0; icp < cgp; icp++) {
                    int srcA = (n * c + grp * cg + 2 * icp) * inH * inW;
                    int srcB = 2 * icp + 1 < cg ? srcA + inH * inW : srcA; // odd count: zero weights
                    int dstPlane = (grp * cgp + icp) * plane;
                    for (int r = 0; r < inH; r++) {
                        int d = dstPlane + (r + cp.padH()) * padW + cp.padW();
                        int a = srcA + r * inW;
                        int b = srcB + r * inW;
                        for (int q = 0; q < inW; q++) {
                            padded[d + q] = ((x[a + q] ^ flip) & 0xFF) | ((x[b + q] ^ flip) & 0xFF) << 16;
                        }
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
                int nfc = ConvKernel.roundColumns(nf); // whole vectors; extra columns are ignored
                int[] acc = Scratch.ints(1, nj * nfc);
                int[] rowOff = Scratch.ints(2, kp);
                int base = grp * cgp * plane + f0;
                for (int r = 0; r < kp; r++) {
                    rowOff[r] = shifts[r] + base;
                }
                impl.gemmPairs(w.pairs, (grp * ocg + j0) * kp, nj, kp, padded, rowOff, nfc, acc);
                for (int j = 0; j < nj; j++) {
                    int o = grp * ocg + j0 + j;
                    int b = bias[o];
                    float mo = m[o];
                    int dstPlane = (img * oc + o) * outH * outW;
                    // Walk the tile one padded row at a time; only columns ow < outW are outputs.
                    for (int f = f0, end = f0 + nf; f < end; ) {
                        int oh = f / padW;
                        int ow = f - oh * padW;
                        int run = Math.min(padW - ow, end - f);
                        int valid = Math.min(run, outW - ow);
                        if (valid > 0) {
                            impl.requantRow(acc, j * nfc + f - f0, b, mo, zpOut, lo, hi, y,
                                    dstPlane + oh * outW + ow, valid);
                        }
                        f += run;
                    }
                }
            });
        }
        return y;
    }
}
