package io.djlquant.kernels;

/**
 * Direct path when every output channel reads one input channel (depthwise, any channel multiplier)
 * and the horizontal stride is 1: the input plane is copied once per task into a zero-padded int
 * buffer of {@code x - zpIn}, then each output row is a sum of shifted rows.
 */
final class DepthwiseConv {

    private DepthwiseConv() {}

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
        KernelThreads.run(
                batch * oc,
                task -> {
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
                        // One channel; row t of the product is tap t's shifted view of the padded
                        // plane.
                        impl.gemmBroadcast(w.weights, wOff, 1, taps, plane, rowOff, outW, acc);
                        impl.requantRow(
                                acc,
                                0,
                                b,
                                mo,
                                zpOut,
                                lo,
                                hi,
                                y,
                                ((n * oc + o) * outH + oh) * outW,
                                outW);
                    }
                });
        return y;
    }
}
