package io.djlquant.kernels;

/**
 * Quantized linear layer {@code y = requant(W (x - zpIn) + bias)} per row. Inputs are converted
 * once to {@code x - zpIn} ints; work is split into fixed blocks of rows x outputs. Arguments are
 * assumed valid (checked by {@link Int8Kernels}).
 */
final class LinearKernel {

    private static final int OUT_BLOCK = 64;
    private static final int ROW_BLOCK = 8;

    private LinearKernel() {}

    static byte[] run(
            Int8Impl impl,
            byte[] x,
            int rows,
            ActivationQuant in,
            PackedLinearWeights w,
            float[] m,
            ActivationQuant out,
            boolean relu) {
        final int inF = w.inFeatures();
        final int outF = w.outFeatures();
        final int[] xi = new int[x.length];
        final int mask = in.byteMask();
        final int zpIn = in.zeroPoint();
        for (int i = 0; i < xi.length; i++) {
            xi[i] = (x[i] & mask) - zpIn;
        }
        final byte[] y = new byte[Checks.product("linear output", rows, outF)];
        final int zpOut = out.zeroPoint();
        final int lo = Requant.lower(out, relu);
        final int hi = out.qmax();
        final int outBlocks = (outF + OUT_BLOCK - 1) / OUT_BLOCK;
        final int rowBlocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        KernelThreads.run(
                outBlocks * rowBlocks,
                task -> {
                    int o0 = (task % outBlocks) * OUT_BLOCK;
                    int no = Math.min(OUT_BLOCK, outF - o0);
                    int r0 = (task / outBlocks) * ROW_BLOCK;
                    int r1 = Math.min(rows, r0 + ROW_BLOCK);
                    int[] acc = Scratch.ints(1, no);
                    for (int r = r0; r < r1; r++) {
                        impl.gemmDot(w.weights, o0 * inF, no, inF, xi, r * inF, acc, 0);
                        int dst = r * outF + o0;
                        for (int j = 0; j < no; j++) {
                            int b = w.bias == null ? 0 : w.bias[o0 + j];
                            y[dst + j] = Requant.requant(acc[j] + b, m[o0 + j], zpOut, lo, hi);
                        }
                    }
                });
        return y;
    }
}
