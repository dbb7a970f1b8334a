package io.djlquant.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Stacking, concatenation and splitting of {@link JqNDArray}s in Java, so that DJL's batchifier
 * keeps a batch in the JavaQuant engine. Quantization parameters travel with the integers: arrays
 * joined together must carry the same parameters (per-channel parameters joined along their own
 * axis are concatenated), and every piece of a split keeps its part of them.
 */
final class JqJoin {

    private JqJoin() {}

    /**
     * Stacks {@code head} and {@code others} along a new axis.
     *
     * @param head the first array, whose manager owns the result
     * @param others the other arrays (any engine; foreign arrays are copied in once)
     * @param axis the new axis, 0..rank (negative counts from the end)
     * @return the stacked array
     */
    static JqNDArray stack(JqNDArray head, NDList others, int axis) {
        JqNDArray[] parts = gather(head, others, "stack");
        Shape shape = head.getShape();
        int rank = shape.dimension();
        int ax = normalize(axis, rank + 1, "stack");
        for (JqNDArray p : parts) {
            if (!p.getShape().equals(shape)) {
                throw new IllegalArgumentException(
                        "JavaQuant stack needs arrays of one shape, got "
                                + shape
                                + " and "
                                + p.getShape());
            }
        }
        long[] dims = new long[rank + 1];
        for (int i = 0, j = 0; i <= rank; i++) {
            dims[i] = i == ax ? parts.length : shape.get(j++);
        }
        Quant q = Quant.common(parts, "stack");
        int outer = (int) prefix(shape, ax);
        int inner = (int) shape.slice(ax).size() * unit(head);
        Object out = JqStorage.allocate(head.getDataType(), JqStorage.checkedSize(new Shape(dims)));
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (JqNDArray p : parts) {
                System.arraycopy(p.storage(), o * inner, out, pos, inner);
                pos += inner;
            }
        }
        JqNDArray result = result(head, new Shape(dims), out);
        if (q != null) {
            int qAxis = q.axis == JqNDArray.PER_TENSOR || q.axis < ax ? q.axis : q.axis + 1;
            result.setQuantization(q.scales, q.zeroPoints, qAxis);
        }
        return result;
    }

    /**
     * Joins {@code head} and {@code others} along an existing axis.
     *
     * @param head the first array, whose manager owns the result
     * @param others the other arrays (any engine; foreign arrays are copied in once)
     * @param axis the axis (negative counts from the end)
     * @return the joined array
     */
    static JqNDArray concat(JqNDArray head, NDList others, int axis) {
        JqNDArray[] parts = gather(head, others, "concat");
        Shape shape = head.getShape();
        int rank = shape.dimension();
        int ax = normalize(axis, rank, "concat");
        long joined = 0;
        for (JqNDArray p : parts) {
            Shape s = p.getShape();
            boolean fits = s.dimension() == rank;
            for (int i = 0; fits && i < rank; i++) {
                fits = i == ax || s.get(i) == shape.get(i);
            }
            if (!fits) {
                throw new IllegalArgumentException(
                        "JavaQuant concat along axis "
                                + ax
                                + " needs shapes equal elsewhere, got "
                                + shape
                                + " and "
                                + s);
            }
            joined += s.get(ax);
        }
        long[] dims = shape.getShape().clone();
        dims[ax] = joined;
        Quant q = Quant.joined(parts, ax);
        int outer = (int) prefix(shape, ax);
        Object out = JqStorage.allocate(head.getDataType(), JqStorage.checkedSize(new Shape(dims)));
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (JqNDArray p : parts) {
                int inner = (int) p.getShape().slice(ax).size() * unit(head);
                System.arraycopy(p.storage(), o * inner, out, pos, inner);
                pos += inner;
            }
        }
        JqNDArray result = result(head, new Shape(dims), out);
        if (q != null) {
            result.setQuantization(q.scales, q.zeroPoints, q.axis);
        }
        return result;
    }

    /**
     * Splits an array along an axis at the given indices, as {@link NDArray#split(long[], int)}.
     *
     * @param array the array
     * @param indices increasing split points (clamped to the axis length, as numpy does)
     * @param axis the axis (negative counts from the end)
     * @return the pieces, owned by the array's manager
     */
    static NDList split(JqNDArray array, long[] indices, int axis) {
        Shape shape = array.getShape();
        int ax = normalize(axis, shape.dimension(), "split");
        long length = shape.get(ax);
        long rest = shape.slice(ax + 1).size();
        int outer = (int) prefix(shape, ax);
        int unit = unit(array);
        NDList pieces = new NDList(indices.length + 1);
        long start = 0;
        for (int k = 0; k <= indices.length; k++) {
            long end = k < indices.length ? Math.min(Math.max(indices[k], start), length) : length;
            long[] dims = shape.getShape().clone();
            dims[ax] = end - start;
            Shape pieceShape = new Shape(dims);
            Object out = JqStorage.allocate(array.getDataType(), JqStorage.checkedSize(pieceShape));
            int piece = (int) ((end - start) * rest) * unit;
            int row = (int) (length * rest) * unit;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(
                        array.storage(),
                        o * row + (int) (start * rest) * unit,
                        out,
                        o * piece,
                        piece);
            }
            JqNDArray p = result(array, pieceShape, out);
            p.setName(array.getName());
            if (array.isQuantized()) {
                float[] scales = array.getQuantScales();
                int[] zeroPoints = array.getQuantZeroPoints();
                if (array.getQuantAxis() == ax) {
                    scales = Arrays.copyOfRange(scales, (int) start, (int) end);
                    zeroPoints = Arrays.copyOfRange(zeroPoints, (int) start, (int) end);
                }
                if (scales.length > 0) {
                    p.setQuantization(scales, zeroPoints, array.getQuantAxis());
                }
            }
            pieces.add(p);
            start = end;
        }
        return pieces;
    }

    /**
     * The split points that cut an axis into equal sections.
     *
     * @param length the axis length
     * @param sections the number of sections, dividing {@code length}
     * @return the split points
     */
    static long[] evenIndices(long length, long sections) {
        if (sections <= 0 || length % sections != 0) {
            throw new IllegalArgumentException(
                    "JavaQuant split: an axis of length "
                            + length
                            + " cannot be split into "
                            + sections
                            + " equal sections");
        }
        long step = length / sections;
        long[] indices = new long[(int) sections - 1];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (i + 1) * step;
        }
        return indices;
    }

    private static JqNDArray[] gather(JqNDArray head, NDList others, String op) {
        JqNDArray[] parts = new JqNDArray[others.size() + 1];
        parts[0] = head;
        DataType type = head.getDataType();
        for (int i = 0; i < others.size(); i++) {
            NDArray a = others.get(i);
            if (a.getDataType() != type) {
                throw new IllegalArgumentException(
                        "JavaQuant "
                                + op
                                + " needs arrays of one data type, got "
                                + type
                                + " and "
                                + a.getDataType());
            }
            parts[i + 1] = a instanceof JqNDArray ? (JqNDArray) a : copyIn(head, a);
        }
        return parts;
    }

    /* An array of another engine, copied into the head's manager once. */
    private static JqNDArray copyIn(JqNDArray head, NDArray a) {
        Object storage =
                JqStorage.copyFrom(
                        a.toByteBuffer(), a.getDataType(), JqStorage.checkedSize(a.getShape()));
        return result(head, a.getShape(), storage);
    }

    private static JqNDArray result(JqNDArray like, Shape shape, Object storage) {
        return new JqNDArray(
                like.getManager(), like.alternativeManager(), shape, like.getDataType(), storage);
    }

    /* Storage slots per element: raw bytes for types without their own Java array. */
    private static int unit(JqNDArray a) {
        Object s = a.storage();
        return s instanceof byte[] ? a.getDataType().getNumOfBytes() : 1;
    }

    private static long prefix(Shape shape, int end) {
        long p = 1;
        for (int i = 0; i < end; i++) {
            p *= shape.get(i);
        }
        return p;
    }

    private static int normalize(int axis, int limit, String op) {
        int ax = axis < 0 ? axis + limit : axis;
        if (ax < 0 || ax >= limit) {
            throw new IllegalArgumentException(
                    "JavaQuant "
                            + op
                            + ": axis "
                            + axis
                            + " is out of range for "
                            + limit
                            + " possible axes");
        }
        return ax;
    }

    /** Quantization parameters shared by joined arrays. */
    private static final class Quant {
        final float[] scales;
        final int[] zeroPoints;
        final int axis;

        Quant(float[] scales, int[] zeroPoints, int axis) {
            this.scales = scales;
            this.zeroPoints = zeroPoints;
            this.axis = axis;
        }

        /* Every array carries the same parameters, or none does. */
        static Quant common(JqNDArray[] parts, String op) {
            JqNDArray head = parts[0];
            for (JqNDArray p : parts) {
                boolean same =
                        p.isQuantized() == head.isQuantized()
                                && p.getQuantAxis() == head.getQuantAxis()
                                && Arrays.equals(p.getQuantScales(), head.getQuantScales())
                                && Arrays.equals(p.getQuantZeroPoints(), head.getQuantZeroPoints());
                if (!same) {
                    throw new IllegalArgumentException(
                            "JavaQuant "
                                    + op
                                    + " needs arrays quantized alike: "
                                    + describe(head)
                                    + " vs "
                                    + describe(p)
                                    + "; dequantize or requantize them first");
                }
            }
            return head.isQuantized()
                    ? new Quant(
                            head.getQuantScales(), head.getQuantZeroPoints(), head.getQuantAxis())
                    : null;
        }

        /* Per-channel parameters along the joined axis are concatenated; others must agree. */
        static Quant joined(JqNDArray[] parts, int axis) {
            JqNDArray head = parts[0];
            if (!head.isQuantized() || head.getQuantAxis() != axis) {
                return common(parts, "concat");
            }
            float[] scales = new float[0];
            int[] zeroPoints = new int[0];
            for (JqNDArray p : parts) {
                if (!p.isQuantized() || p.getQuantAxis() != axis) {
                    throw new IllegalArgumentException(
                            "JavaQuant concat needs arrays quantized alike: "
                                    + describe(head)
                                    + " vs "
                                    + describe(p));
                }
                scales = concat(scales, p.getQuantScales());
                zeroPoints = concat(zeroPoints, p.getQuantZeroPoints());
            }
            return new Quant(scales, zeroPoints, axis);
        }

        private static float[] concat(float[] a, float[] b) {
            float[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        private static int[] concat(int[] a, int[] b) {
            int[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        private static String describe(JqNDArray a) {
            if (!a.isQuantized()) {
                return "not quantized";
            }
            return "scales "
                    + Arrays.toString(a.getQuantScales())
                    + " zero points "
                    + Arrays.toString(a.getQuantZeroPoints())
                    + " axis "
                    + a.getQuantAxis();
        }
    }
}
