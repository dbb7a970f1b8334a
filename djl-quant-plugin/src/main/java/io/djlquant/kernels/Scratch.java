package io.djlquant.kernels;

/** Per-thread reusable int buffers so kernels do not allocate per task. */
final class Scratch {

    private static final int SLOTS = 4; // 0-2: convolution paths, 3: inside the SIMD product
    private static final ThreadLocal<int[][]> BUFFERS = ThreadLocal.withInitial(() -> new int[SLOTS][]);
    private static final ThreadLocal<short[][]> SHORTS = ThreadLocal.withInitial(() -> new short[1][]);

    private Scratch() {}

    /** A buffer of at least {@code size} ints for this thread; contents are undefined. */
    static int[] ints(int slot, int size) {
        int[][] b = BUFFERS.get();
        if (b[slot] == null || b[slot].length < size) {
            b[slot] = new int[size];
        }
        return b[slot];
    }

    /** A buffer of at least {@code size} shorts for this thread (one slot); contents are undefined. */
    static short[] shorts(int size) {
        short[][] b = SHORTS.get();
        if (b[0] == null || b[0].length < size) {
            b[0] = new short[size];
        }
        return b[0];
    }
}
