package io.djlquant.kernels;

/** Per-thread reusable int buffers so kernels do not allocate per task. */
final class Scratch {

    private static final int SLOTS = 5; // 0-2: convolution paths, 3-4: inside the SIMD product
    private static final ThreadLocal<int[][]> BUFFERS = ThreadLocal.withInitial(() -> new int[SLOTS][]);

    private Scratch() {}

    /** A buffer of at least {@code size} ints for this thread; contents are undefined. */
    static int[] ints(int slot, int size) {
        int[][] b = BUFFERS.get();
        if (b[slot] == null || b[slot].length < size) {
            b[slot] = new int[size];
        }
        return b[slot];
    }
}
