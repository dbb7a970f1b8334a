package io.djlquant.kernels;

/**
 * Quantized conv2d entry: picks one of three exact integer strategies (all give the same bytes) and
 * holds the task-splitting rules they share. Arguments are assumed valid (checked by {@link
 * Int8Kernels}).
 */
final class ConvKernel {

    /** Target size of one gathered tile (ints): keeps it within L2 cache. */
    private static final int TILE_INTS = 1 << 16;

    private ConvKernel() {}

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
        switch (strategy(w, cp, batch, inH, inW)) {
            case BATCH_INNER:
                return BatchInnerConv.run(impl, x, batch, inH, inW, in, w, cp, m, out, relu);
            case DEPTHWISE:
                return DepthwiseConv.run(impl, x, batch, inH, inW, in, w, cp, m, out, relu);
            case SHIFTED:
                return ShiftedConv.run(impl, x, batch, inH, inW, in, w, cp, m, out, relu);
            default:
                return Im2colConv.run(impl, x, batch, inH, inW, in, w, cp, m, out, relu);
        }
    }

    /** How a convolution is computed; see {@link #strategy}. */
    enum Strategy {
        /** One input channel per output channel, unit horizontal stride: {@link DepthwiseConv}. */
        DEPTHWISE,
        /** Several channels per group and little wasted width: {@link ShiftedConv}. */
        SHIFTED,
        /** Everything else: gathered tiles, {@link Im2colConv}. */
        IM2COL,
        /** Large batches of small maps: the images along the vector, {@link BatchInnerConv}. */
        BATCH_INNER
    }

    static Strategy strategy(PackedConvWeights w, ConvParams cp, int batch, int inH, int inW) {
        int cg = w.inChannels() / w.groups();
        if (cg == 1 && cp.strideW() == 1) {
            return Strategy.DEPTHWISE;
        }
        int outW = cp.outW(inW, w.kernelW());
        int outH = cp.outH(inH, w.kernelH());
        if (BatchInnerConv.applies(cg, w.kernelH() * w.kernelW(), batch, outH, outW)) {
            return Strategy.BATCH_INNER;
        }
        int phaseW = ShiftedConv.phaseWidth(inW, cp);
        // The shifted path also computes the phaseW - outW columns no output needs, and multiplies
        // one image at a time, its columns rounded up to whole vectors; allow 25% waste for both.
        // Small late maps (4x4 and below: 32x32 inputs) fail the second test and go to im2col,
        // whose
        // columns are (image, pixel) pairs of the whole batch (measured on a 1x1 stride-2 conv to a
        // 1x1
        // map, batch 100: 16 lanes per image, 1 used, 2.4 GMAC/s).
        if (cg > 1
                && 4L * outW >= 3L * phaseW
                && 4L * outH * outW >= 3L * roundColumns(outH * phaseW)) {
            return Strategy.SHIFTED;
        }
        return Strategy.IM2COL;
    }

    /**
     * Output channels per task. With few (image, group, tile) tasks (small late layers) the
     * channels are split too, so threads have work, at the price of repeating the gather per chunk.
     * Any split gives the same bytes (each output is computed by the same integer arithmetic).
     */
    static int channelChunk(int ocg, int otherTasks) {
        if (otherTasks >= 8 || ocg < 32) {
            return ocg;
        }
        int wanted = (8 + otherTasks - 1) / otherTasks;
        int chunk = (ocg + wanted - 1) / wanted;
        return Math.max(16, (chunk + 3) & ~3);
    }

    /**
     * Output channels per task for {@link ShiftedConv}, where splitting channels costs nothing
     * (every chunk reads the same packed planes): at least 16 tasks and an even count where the
     * channels allow, so that two threads get equal shares (measured: the stride-2 3x3 conv of
     * ResNet18's second stage had 9 tiles, one thread did 5 of them while the other waited). Chunks
     * are whole blocks of 4 channels and at least 16.
     */
    static int shiftedChannelChunk(int ocg, int otherTasks) {
        int maxChunks = Math.max(1, ocg / 16);
        int chunks = Math.min(maxChunks, (16 + otherTasks - 1) / otherTasks);
        if ((otherTasks * chunks) % 2 == 1 && chunks < maxChunks) {
            chunks++;
        }
        int chunk = (ocg + chunks - 1) / chunks;
        return Math.min(ocg, Math.max(16, (chunk + 3) & ~3));
    }

    /**
     * Column counts handed to the product are rounded up to this (whole vectors, no scalar tail).
     */
    static final int COLUMN_QUANTUM = 16;

    /**
     * Pixels per tile: a multiple of 32 (whole vectors) sized so K x tile stays near TILE_INTS, and
     * small enough (down to 64) that there are about 8 tiles: splitting pixels costs nothing, while
     * splitting channels instead repeats the gather (measured: the 1x1 stride-2 convs spent as much
     * time gathering as multiplying), but not below {@code minColumns} ({@link
     * Int8Impl#minTileColumns}).
     */
    static int tileWidth(int k, int pixels, int minColumns) {
        int t = Math.max(32, Math.min(1024, TILE_INTS / k)) & ~31;
        int eighth = ((pixels + 7) / 8 + 31) & ~31;
        t = Math.max(minColumns, Math.min(t, Math.max(64, eighth)));
        return Math.min(t, pixels);
    }

    /** {@code n} rounded up to {@link #COLUMN_QUANTUM}. */
    static int roundColumns(int n) {
        return (n + COLUMN_QUANTUM - 1) / COLUMN_QUANTUM * COLUMN_QUANTUM;
    }
}
