package io.djlquant.kernels;

/** Per-thread reusable buffers so kernels do not allocate per task. */
final class Scratch {

    /**
     * 0-2: a convolution task's tile, accumulators and row offsets; 3-4: inside the SIMD product;
     * 5: a convolution's input prepared once by the calling thread and read by all its tasks (the
     * padded image of ShiftedConv, the shared tiles of Im2colConv); 6: a convolution task's weights
     * widened from bytes; 7: the rows of those weights that one class of output pixels multiplies
     * ({@link TapClasses}).
     */
    private static final int SLOTS = 8;

    /** The slot of a convolution's shared input. */
    static final int SHARED = 5;

    /** The slot of a convolution task's widened weights. */
    static final int WEIGHTS = 6;

    /** The slot of a task's weights for the taps some of its pixels read ({@link TapClasses}). */
    static final int TAP_WEIGHTS = 7;

    private static final ThreadLocal<int[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new int[SLOTS][]);

    /**
     * Byte slots: pooling's row maxima, a convolution tile's requantized row, a task's output
     * block.
     */
    static final int POOL_ROW = 0;

    static final int REQUANT_ROW = 1;
    static final int OUT_BLOCK = 2;
    private static final ThreadLocal<byte[][]> BYTES = ThreadLocal.withInitial(() -> new byte[3][]);

    /**
     * Rows of the scalar pair product: accumulator rows and right-hand rows, each its own array.
     */
    private static final ThreadLocal<int[][]> ROWS = ThreadLocal.withInitial(() -> new int[0][]);

    private Scratch() {}

    /**
     * At least {@code count} separate int arrays of at least {@code size} each, for this thread.
     */
    static int[][] rows(int count, int size) {
        int[][] r = ROWS.get();
        if (r.length < count || r[0].length < size) {
            r = new int[Math.max(count, r.length)][Math.max(size, r.length == 0 ? 0 : r[0].length)];
            ROWS.set(r);
        }
        return r;
    }

    /** A buffer of at least {@code size} ints for this thread; contents are undefined. */
    static int[] ints(int slot, int size) {
        int[][] b = BUFFERS.get();
        if (b[slot] == null || b[slot].length < size) {
            b[slot] = new int[size];
        }
        return b[slot];
    }

    /** A byte buffer of at least {@code size} for this thread; contents are undefined. */
    static byte[] bytes(int slot, int size) {
        byte[][] b = BYTES.get();
        if (b[slot] == null || b[slot].length < size) {
            b[slot] = new byte[size];
        }
        return b[slot];
    }
}
