package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Shared argument checks and metadata encoding for the blocks of this package. */
final class BlockSupport {

    private BlockSupport() {}

    /** Returns the single array of {@code inputs}, checking its count and rank. */
    static NDArray single(String block, NDList inputs, int... allowedRanks) {
        if (inputs == null || inputs.size() != 1) {
            throw new IllegalArgumentException(
                    block
                            + " expects exactly 1 input array, got "
                            + (inputs == null ? "null" : inputs.size()));
        }
        NDArray x = inputs.head();
        checkRank(block, x.getShape(), allowedRanks);
        return x;
    }

    /** Checks that {@code shapes} holds one shape of an allowed rank (for shape inference). */
    static Shape singleShape(String block, Shape[] shapes, int... allowedRanks) {
        if (shapes == null || shapes.length != 1) {
            throw new IllegalArgumentException(
                    block
                            + " expects exactly 1 input shape, got "
                            + (shapes == null ? "null" : shapes.length));
        }
        checkRank(block, shapes[0], allowedRanks);
        return shapes[0];
    }

    private static void checkRank(String block, Shape shape, int... allowedRanks) {
        if (allowedRanks.length == 0) {
            return;
        }
        for (int r : allowedRanks) {
            if (shape.dimension() == r) {
                return;
            }
        }
        throw new IllegalArgumentException(
                block
                        + " expects an input of rank "
                        + java.util.Arrays.toString(allowedRanks)
                        + ", got shape "
                        + shape);
    }

    /** Throws the exception every block raises for an unknown parameter-file version. */
    static void checkVersion(String block, byte expected, byte actual)
            throws MalformedModelException {
        if (expected != actual) {
            throw new MalformedModelException(
                    block
                            + ": unsupported parameter encoding version "
                            + actual
                            + " (expected "
                            + expected
                            + ")");
        }
    }

    /** Raises a {@link MalformedModelException} if a stored config value differs from ours. */
    static void checkSame(String block, String what, Object stored, Object ours)
            throws MalformedModelException {
        if (!stored.equals(ours)) {
            throw new MalformedModelException(
                    block
                            + ": stored "
                            + what
                            + " "
                            + stored
                            + " does not match this block's "
                            + ours);
        }
    }

    /**
     * DJL writes the input shapes first; give a clear error instead of its NullPointerException.
     */
    static void requireInitialized(String block, Shape[] inputShapes) {
        if (inputShapes == null) {
            throw new IllegalStateException(
                    block + ": initialize the block before saving its parameters");
        }
    }

    static void writeShape(DataOutputStream os, Shape shape) throws IOException {
        os.writeInt(shape.dimension());
        for (long d : shape.getShape()) {
            os.writeLong(d);
        }
    }

    static Shape readShape(String block, DataInputStream is)
            throws IOException, MalformedModelException {
        int n = is.readInt();
        if (n < 0 || n > 8) {
            throw new MalformedModelException(block + ": invalid stored shape rank " + n);
        }
        long[] dims = new long[n];
        for (int i = 0; i < n; i++) {
            dims[i] = is.readLong();
        }
        return new Shape(dims);
    }

    /** A 2-d shape from a value given either as one number or as two. */
    static Shape pair(String what, Shape s) {
        if (s == null || s.dimension() != 2) {
            throw new IllegalArgumentException(what + " must have 2 dimensions, got " + s);
        }
        return s;
    }

    /** Output length of a pooling window along one axis, following PyTorch's rule (dilation 1). */
    static long poolOut(long in, long k, long s, long p, boolean ceil) {
        long span = in + 2 * p - k;
        if (span < 0) {
            throw new IllegalArgumentException(
                    "pooling window " + k + " (padding " + p + ") is larger than the input " + in);
        }
        long out = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (out - 1) * s >= in + p) {
            // the last window would start in the right padding only
            out--;
        }
        return out;
    }

    /**
     * Validates a pooling configuration: positive kernel and stride, padding at most half the
     * kernel.
     */
    static void checkPool(String block, Shape kernel, Shape stride, Shape padding) {
        pair(block + " kernel", kernel);
        pair(block + " stride", stride);
        pair(block + " padding", padding);
        for (int i = 0; i < 2; i++) {
            if (kernel.get(i) <= 0
                    || stride.get(i) <= 0
                    || padding.get(i) < 0
                    || 2 * padding.get(i) > kernel.get(i)) {
                throw new IllegalArgumentException(
                        block
                                + ": need kernel > 0, stride > 0 and 0 <= padding <= kernel/2, got"
                                + " kernel="
                                + kernel
                                + " stride="
                                + stride
                                + " padding="
                                + padding);
            }
        }
    }

    static Shape poolShape(Shape in, Shape k, Shape s, Shape p, boolean ceil) {
        return new Shape(
                in.get(0),
                in.get(1),
                poolOut(in.get(2), k.get(0), s.get(0), p.get(0), ceil),
                poolOut(in.get(3), k.get(1), s.get(1), p.get(1), ceil));
    }
}
