package io.djlquant.kernels;

/**
 * Convolution without a gather: the images are copied once into padded int planes of channel pairs
 * (pair plane icp of a group holds {@code u(2*icp) | u(2*icp+1) << 16}, u the unsigned byte value
 * as in {@link Im2colConv#runPairs}; padding holds zpU, the missing channel of an odd count too),
 * so that every right-hand-side pair row of {@link Int8Impl#gemmPairs} is a shifted view of those
 * planes. With stride s a pair plane is stored as its s x s phases (phase (py, px) holds the padded
 * positions (i*s + py, j*s + px) at (i, j), each phase {@code phaseW = ceil(padW / s)} wide and
 * {@code phaseH} high); within a phase the images follow each other, {@code phaseH * phaseW} apart.
 * Output (oh, ow) of an image maps to flat index {@code oh*phaseW + ow} from the image's start and
 * tap (icp, dy, dx), with {@code ry = dy*dilH} and {@code rx = dx*dilW}, to the constant shift of
 * phase {@code (ry % s, rx % s)} plus {@code (ry / s)*phaseW + rx / s}. Columns {@code ow >= outW}
 * are computed and discarded. A task (group, tile of flat columns, output channel chunk) widens its
 * weights once and multiplies them with that tile of every image of a pass, so a batch reads each
 * weight from memory once per tile and pass, not once per image (tiles of one tall image holding
 * the batch would also compute the padding rows between images: 2 of 9 rows at 7x7). A pass holds
 * as many images as fit {@link #PASS_INTS} of planes (one for the large early layers, whose planes
 * of 8 images written first and read back later left L2: measured 0.75x the per-image speed). Used
 * with at least 2 channels per group (one channel per group is {@link DepthwiseConv} or {@link
 * Im2colConv}).
 */
final class ShiftedConv {

    /**
     * Largest block of widened weights (ints) a task multiplies at once: it stays in L2 for the
     * batch.
     */
    private static final int WEIGHT_BLOCK_INTS = 1 << 16;

    /** Target size (ints) of the padded planes of one pass: within L2. */
    private static final int PASS_INTS = 1 << 17;

    /** Images per pass from which the tasks split the images rather than each image (see run). */
    private static final int IMAGE_TASK_PASS = 8;

    /** Largest flat image (columns) that one task multiplies whole in that mode. */
    private static final int IMAGE_TASK_COLUMNS = 512;

    /** Tasks per pass wanted in that mode: several per thread, so that uneven shares even out. */
    private static final int IMAGE_TASKS = 16;

    private ShiftedConv() {}

    /** Width of one phase of a padded plane: {@code ceil((inW + 2*padW) / strideW)}. */
    static int phaseWidth(int inW, ConvParams cp) {
        return (inW + 2 * cp.padW() + cp.strideW() - 1) / cp.strideW();
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
        final int ocg = oc / g;
        final int kh = w.kernelH();
        final int kw = w.kernelW();
        final int kp = w.pairRowLength();
        final int cgp = (cg + 1) / 2;
        final int outH = cp.outH(inH, kh);
        final int outW = cp.outW(inW, kw);
        final int sh = cp.strideH();
        final int sw = cp.strideW();
        final int phaseW = phaseWidth(inW, cp);
        final int phaseH = (inH + 2 * cp.padH() + sh - 1) / sh;
        final int imagePhase = Checks.product("padded phase", phaseH, phaseW);
        int usedPhases = usedPhases(kh, kw, cp);
        final int pass =
                (int)
                        Math.max(
                                1,
                                Math.min(
                                        batch,
                                        PASS_INTS / ((long) g * cgp * usedPhases * imagePhase)));
        final int phasePlane = Checks.product("padded phases of a pass", pass, imagePhase);
        final int plane = Checks.product("padded plane", sh * sw, phasePlane);
        final int flat = outH * phaseW;
        final PairTerms pt = PairTerms.of(w, in, out, relu, null);
        // Reads of the discarded columns reach past the last phase by at most (kw-1)*dilW/s
        // columns, plus
        // up to COLUMN_QUANTUM from the last tile being rounded up to whole vectors. The calling
        // thread's scratch (reused across calls: no per-call garbage); the tasks only read it.
        final int paddedLength =
                Checks.product("padded pass", g * cgp, plane)
                        + (kw - 1) * cp.dilationW()
                        + ConvKernel.COLUMN_QUANTUM;
        final int[] padded = Scratch.ints(Scratch.SHARED, paddedLength);
        final int[] shifts = new int[kp];
        // Phases no tap reads (three of four for a 1x1 stride-2 conv) are neither filled nor
        // copied;
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
        final int padPair = pt.zpU() | pt.zpU() << 16;
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
        // Small maps in passes of many images (32x32 inputs in batches): tasks take whole images
        // and all
        // channels, and the images of a pass are shared out instead. The rules below, made to split
        // one
        // large image between threads, cut each small image's product into pieces of 16 channels x
        // 64
        // columns (measured: the 7x7 stem at 32x32, batch 100, 27 GMAC/s against 108 at 224x224).
        final boolean imageTasks = pass >= IMAGE_TASK_PASS && flat <= IMAGE_TASK_COLUMNS;
        final int tileWidth =
                imageTasks
                        ? flat
                        : ConvKernel.tileWidth(w.rowLength(), flat, impl.minTileColumns());
        final TaskGrid grid =
                imageTasks
                        ? TaskGrid.of(g, flat, tileWidth, ocg, (ch, other) -> ch)
                        : TaskGrid.of(g, flat, tileWidth, ocg, ConvKernel::shiftedChannelChunk);
        final byte[] y = new byte[Checks.product("conv output", batch, oc, outH, outW)];
        // Channels per block of widened weights: whole blocks of 4 (the product's register block).
        final int weightBlock = Math.max(4, WEIGHT_BLOCK_INTS / kp & ~3);
        for (int first = 0; first < batch; first += pass) {
            // Only interior cells are written, so padding keeps zpU across passes. One task per
            // (image, pair plane): copied on the calling thread alone, the early layers' planes
            // left
            // the other threads waiting (measured: 3% of a ResNet18 pass).
            final int n0 = first;
            final int count = Math.min(pass, batch - first);
            KernelThreads.run(
                    count * g * cgp,
                    task -> {
                        int slot = task / (g * cgp);
                        int img = n0 + slot;
                        int pp = task % (g * cgp);
                        int grp = pp / cgp;
                        int icp = pp % cgp;
                        int srcA = (img * c + grp * cg + 2 * icp) * inH * inW;
                        int srcB =
                                2 * icp + 1 < cg
                                        ? srcA + inH * inW
                                        : srcA; // odd count: zero weights
                        int dstPlane = pp * plane + slot * imagePhase;
                        for (int r = 0; r < inH; r++) {
                            int py = (r + cp.padH()) % sh;
                            if (sw == 1 && !used[py]) {
                                continue;
                            }
                            int rowBase =
                                    dstPlane + py * sw * phasePlane + (r + cp.padH()) / sh * phaseW;
                            int a = srcA + r * inW;
                            int b = srcB + r * inW;
                            if (sw == 1) {
                                impl.packPairs(
                                        x, a, b, 1, pt.flip(), padded, rowBase + cp.padW(), inW);
                                continue;
                            }
                            // Input column q lands in phase (q + padW) % sw at column (q + padW) /
                            // sw.
                            for (int q0 = 0; q0 < Math.min(sw, inW); q0++) {
                                int px = (q0 + cp.padW()) % sw;
                                if (used[py * sw + px]) {
                                    impl.packPairs(
                                            x,
                                            a + q0,
                                            b + q0,
                                            sw,
                                            pt.flip(),
                                            padded,
                                            rowBase + px * phasePlane + (q0 + cp.padW()) / sw,
                                            (inW - q0 + sw - 1) / sw);
                                }
                            }
                        }
                    });
            // In image-task mode each task takes slice (task / grid.tasks()) of the pass's images.
            final int slices =
                    imageTasks ? Math.min(count, Math.max(1, IMAGE_TASKS / grid.tasks())) : 1;
            KernelThreads.run(
                    grid.tasks() * slices,
                    t -> {
                        int task = t % grid.tasks();
                        int slice = t / grid.tasks();
                        int nFrom = slice * count / slices;
                        int nTo = (slice + 1) * count / slices;
                        int grp = grid.group(task);
                        int f0 = grid.firstColumn(task);
                        int nf = grid.columnCount(task);
                        int j0 = grid.firstChannel(task);
                        int nj = grid.channelCount(task);
                        int nfc =
                                ConvKernel.roundColumns(
                                        nf); // whole vectors; extra columns are ignored
                        int jb = Math.min(nj, weightBlock);
                        int[] acc = Scratch.ints(1, jb * nfc);
                        int[] rowOff = Scratch.ints(2, kp);
                        int[] wq = Scratch.ints(Scratch.WEIGHTS, jb * kp);
                        byte[] row = Scratch.bytes(Scratch.REQUANT_ROW, nfc);
                        for (int jj = 0; jj < nj; jj += jb) {
                            int nb = Math.min(jb, nj - jj);
                            w.widenPairs(impl, grp * ocg + j0 + jj, nb, wq);
                            for (int n = nFrom; n < nTo; n++) {
                                int base = grp * cgp * plane + n * imagePhase + f0;
                                for (int r = 0; r < kp; r++) {
                                    rowOff[r] = shifts[r] + base;
                                }
                                impl.gemmPairs(wq, 0, nb, kp, padded, rowOff, nfc, acc);
                                // The whole tile row is requantized (whole vectors; rows of 7-28
                                // outputs left most
                                // of it to the scalar tail), then its output columns are copied
                                // out.
                                for (int j = 0; j < nb; j++) {
                                    int o = grp * ocg + j0 + jj + j;
                                    impl.requantRow(
                                            acc,
                                            j * nfc,
                                            pt.bias()[o],
                                            m[o],
                                            pt.zpOut(),
                                            pt.lo(),
                                            pt.hi(),
                                            row,
                                            0,
                                            nfc);
                                    copyOut(
                                            row,
                                            f0,
                                            nf,
                                            y,
                                            ((n0 + n) * oc + o) * outH * outW,
                                            outW,
                                            phaseW);
                                }
                            }
                        }
                    });
        }
        return y;
    }

    /** Phases of a stride-s plane that some tap reads (all of them for a 3x3 stride-2 kernel). */
    private static int usedPhases(int kh, int kw, ConvParams cp) {
        boolean[] used = new boolean[cp.strideH() * cp.strideW()];
        int n = 0;
        for (int dy = 0; dy < kh; dy++) {
            for (int dx = 0; dx < kw; dx++) {
                int phase =
                        (dy * cp.dilationH() % cp.strideH()) * cp.strideW()
                                + dx * cp.dilationW() % cp.strideW();
                n += used[phase] ? 0 : 1;
                used[phase] = true;
            }
        }
        return n;
    }

    /**
     * Copies the outputs among flat columns [f0, f0 + nf) of one image's channel from {@code row}
     * (indexed from f0) into its plane at {@code dst}: one padded row at a time, only columns ow
     * &lt; outW.
     */
    private static void copyOut(
            byte[] row, int f0, int nf, byte[] y, int dst, int outW, int phaseW) {
        for (int f = f0, end = f0 + nf; f < end; ) {
            int oh = f / phaseW;
            int ow = f - oh * phaseW;
            int run = Math.min(phaseW - ow, end - f);
            int valid = Math.min(run, outW - ow);
            if (valid > 0) {
                System.arraycopy(row, f - f0, y, dst + oh * outW + ow, valid);
            }
            f += run;
        }
    }
}
