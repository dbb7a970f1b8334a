package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;

/** NumPy broadcasting of byte tensors (the int8 element-wise kernels need equal lengths). */
final class Broadcast {

    private Broadcast() {}

    /**
     * The broadcast shape of two shapes.
     *
     * @param block the block name
     * @param a first shape
     * @param b second shape
     * @return the common shape
     */
    static Shape shape(String block, Shape a, Shape b) {
        int n = Math.max(a.dimension(), b.dimension());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long da = dim(a, i - n + a.dimension());
            long db = dim(b, i - n + b.dimension());
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(
                        block + ": input shapes " + a + " and " + b + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    private static long dim(Shape s, int i) {
        return i >= 0 ? s.get(i) : 1;
    }

    /**
     * Expands {@code data} of shape {@code from} to {@code to} (a broadcast of {@code from}).
     *
     * @param data the elements
     * @param from their shape
     * @param to the target shape
     * @return {@code data} itself if the shapes are equal, else a new array
     */
    static byte[] expand(byte[] data, Shape from, Shape to) {
        if (from.equals(to)) {
            return data;
        }
        int n = to.dimension();
        long[] strides = new long[n];
        long stride = 1;
        for (int i = n - 1; i >= 0; i--) {
            int j = i - n + from.dimension();
            long d = dim(from, j);
            strides[i] = d == 1 ? 0 : stride;
            stride *= d;
        }
        long[] dims = to.getShape();
        byte[] out = new byte[Math.toIntExact(to.size())];
        int[] index = new int[n];
        long src = 0;
        for (int k = 0; k < out.length; k++) {
            out[k] = data[(int) src];
            for (int i = n - 1; i >= 0; i--) {
                index[i]++;
                src += strides[i];
                if (index[i] < dims[i]) {
                    break;
                }
                src -= strides[i] * index[i];
                index[i] = 0;
            }
        }
        return out;
    }
}
