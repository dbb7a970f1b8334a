package io.djlquant.kernels;

/**
 * General conv2d path: for each (image, group, tile of output pixels, channel chunk) the input window
 * values {@code x - zpIn} are gathered into an int matrix (padding contributes 0, i.e. the input zero
 * point), multiplied with the packed weights, then requantized. Subtracting the zero point while
 * gathering makes a per-channel weight-sum correction unnecessary.
 */
final class Im2colConv {

    private Im2colConv() {}

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
        final int tile = ConvKernel.tileWidth(k, pixels);
        final int tiles = (pixels + tile - 1) / tile;
        final byte[] y = new byte[Checks.product("conv output", batch, oc, pixels)];
        final int mask = in.byteMask();
        final int zpIn = in.zeroPoint();
        final int zpOut = out.zeroPoint();
        final int lo = Requant.lower(out, relu);
        final int hi = out.qmax();
        final int chunk = ConvKernel.channelChunk(ocg, batch * g * tiles);
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
            // Rows are npc >= np columns wide, the extra ones zero: the product then runs on whole
            // vectors only (no scalar pixel tail) and the extra outputs are ignored.
            int npc = ConvKernel.roundColumns(np);
            int[] col = Scratch.ints(0, k * npc);
            int[] acc = Scratch.ints(1, nj * npc);
            int[] rowOff = Scratch.ints(2, k);
            for (int kk = 0; kk < k; kk++) {
                rowOff[kk] = kk * npc;
            }
            int chanBase = (n * c + grp * cg) * inH * inW;
            im2col(x, chanBase, cg, inH, inW, kh, kw, cp, outW, p0, np, npc, mask, zpIn, col);
            impl.gemmBroadcast(w.weights, (grp * ocg + j0) * k, nj, k, col, rowOff, npc, acc);
            for (int j = 0; j < nj; j++) {
                int o = grp * ocg + j0 + j;
                int b = w.bias == null ? 0 : w.bias[o];
                float mo = m[o];
                impl.requantRow(acc, j * npc, b, mo, zpOut, lo, hi, y, (n * oc + o) * pixels + p0, np);
            }
        });
        return y;
    }

    /**
     * Gathers rows (ic, kh, kw) x output pixels [p0, p0+np) of {@code x - zp}, each row {@code stride}
     * ints apart; outside the image and columns np..stride-1 are 0.
     */
    private static void im2col(byte[] x, int chanBase, int cg, int inH, int inW, int kh, int kw,
            ConvParams cp, int outW, int p0, int np, int stride, int mask, int zp, int[] col) {
        int plane = inH * inW;
        int row = 0;
        for (int ic = 0; ic < cg; ic++) {
            int chan = chanBase + ic * plane;
            for (int dy = 0; dy < kh; dy++) {
                int offH = dy * cp.dilationH() - cp.padH();
                for (int dx = 0; dx < kw; dx++, row += stride) {
                    java.util.Arrays.fill(col, row + np, row + stride, 0);
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
