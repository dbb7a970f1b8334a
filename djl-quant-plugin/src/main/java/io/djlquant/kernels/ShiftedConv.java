package io.djlquant.kernels;

/**
 * Unit-stride path without a gather: each image is copied once into zero-padded int planes of
 * {@code x - zpIn}; output position (oh, ow) maps to flat index {@code oh*padW + ow} and kernel tap
 * (ic, dy, dx) to the constant shift {@code ic*plane + dy*dilH*padW + dx*dilW}, so every
 * right-hand-side row of the product is a shifted view of the padded image. Columns
 * {@code ow >= outW} are computed and discarded.
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
        final int outH = cp.outH(inH, kh);
        final int outW = cp.outW(inW, kw);
        final int padW = inW + 2 * cp.padW();
        final int padH = inH + 2 * cp.padH();
        final int plane = Checks.product("padded plane", padH, padW);
        final int flat = outH * padW;
        // Reads reach (kw-1)*dilW past the last plane, plus up to COLUMN_QUANTUM columns from the
        // last tile being rounded up to whole vectors.
        final int[] padded = new int[Checks.product("padded image", c, plane) + (kw - 1) * cp.dilationW()
                + ConvKernel.COLUMN_QUANTUM];
        final int[] shifts = new int[k];
        for (int ic = 0, kk = 0; ic < cg; ic++) {
            for (int dy = 0; dy < kh; dy++) {
                for (int dx = 0; dx < kw; dx++, kk++) {
                    shifts[kk] = ic * plane + dy * cp.dilationH() * padW + dx * cp.dilationW();
                }
            }
        }
        final int tile = ConvKernel.tileWidth(k, flat);
        final int tiles = (flat + tile - 1) / tile;
        final int chunk = ConvKernel.channelChunk(ocg, g * tiles);
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
                int nfc = ConvKernel.roundColumns(nf); // whole vectors; extra columns are ignored
                int[] acc = Scratch.ints(1, nj * nfc);
                int[] rowOff = Scratch.ints(2, k);
                int base = grp * cg * plane + f0;
                for (int kk = 0; kk < k; kk++) {
                    rowOff[kk] = shifts[kk] + base;
                }
                impl.gemmBroadcast(w.weights, (grp * ocg + j0) * k, nj, k, padded, rowOff, nfc, acc);
                for (int j = 0; j < nj; j++) {
                    int o = grp * ocg + j0 + j;
                    int b = w.bias == null ? 0 : w.bias[o];
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
