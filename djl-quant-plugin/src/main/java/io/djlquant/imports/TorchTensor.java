package io.djlquant.imports;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One tensor read from a PyTorch archive: its storage element type, shape, strides and offset into
 * a storage's raw bytes. Values are converted to float32 only when asked ({@link #toFloats()}).
 */
public final class TorchTensor {

    /** Storage element types PyTorch pickles as {@code torch.<Name>Storage}. */
    enum Kind {
        FLOAT(4, true),
        DOUBLE(8, true),
        HALF(2, true),
        BFLOAT16(2, true),
        LONG(8, false),
        INT(4, false),
        SHORT(2, false),
        CHAR(1, false),
        BYTE(1, false),
        BOOL(1, false);

        final int bytes;
        final boolean floating;

        Kind(int bytes, boolean floating) {
            this.bytes = bytes;
            this.floating = floating;
        }

        /** Maps a storage class name such as {@code FloatStorage}. */
        static Kind ofStorage(String storageClass) {
            switch (storageClass) {
                case "FloatStorage":
                    return FLOAT;
                case "DoubleStorage":
                    return DOUBLE;
                case "HalfStorage":
                    return HALF;
                case "BFloat16Storage":
                    return BFLOAT16;
                case "LongStorage":
                    return LONG;
                case "IntStorage":
                    return INT;
                case "ShortStorage":
                    return SHORT;
                case "CharStorage":
                    return CHAR;
                case "ByteStorage":
                    return BYTE;
                case "BoolStorage":
                    return BOOL;
                default:
                    throw new InvalidArchiveException(
                            "unsupported torch storage type "
                                    + InvalidArchiveException.quote(storageClass));
            }
        }
    }

    private final Kind kind;
    private final ByteBuffer storage;
    private final long offset;
    private final long[] shape;
    private final long[] stride;
    private final long count;

    /** The most elements one tensor may have: it is copied into one Java float array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** PyTorch's own limit on dimensions. */
    static final int MAX_RANK = 64;

    /**
     * A view of a storage, checked: equal ranks, no negative size or stride, at most {@link
     * #MAX_ELEMENTS} elements, and every element it addresses inside the storage (the arithmetic is
     * exact, so huge sizes or strides cannot wrap around into range).
     *
     * @throws InvalidArchiveException naming the view if any check fails
     */
    TorchTensor(Kind kind, ByteBuffer storage, long offset, long[] shape, long[] stride) {
        if (shape.length > MAX_RANK || stride.length > MAX_RANK) {
            throw new InvalidArchiveException("tensor of more than " + MAX_RANK + " dimensions");
        }
        if (shape.length != stride.length) {
            throw new InvalidArchiveException(
                    view(offset, shape, stride) + ": shape and stride differ in rank");
        }
        long elements = storage.capacity() / kind.bytes;
        long count = 1;
        long last = offset;
        try {
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] < 0 || stride[d] < 0) {
                    throw new InvalidArchiveException(
                            view(offset, shape, stride) + ": negative size or stride");
                }
                count = Math.multiplyExact(count, shape[d]);
                if (count > MAX_ELEMENTS) {
                    throw new InvalidArchiveException(
                            view(offset, shape, stride)
                                    + ": more than "
                                    + MAX_ELEMENTS
                                    + " elements");
                }
                if (shape[d] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, stride[d]));
                }
            }
        } catch (ArithmeticException e) {
            throw new InvalidArchiveException(
                    view(offset, shape, stride) + ": element count or extent overflows a long");
        }
        if (offset < 0 || (count > 0 && last >= elements)) {
            throw new InvalidArchiveException(
                    view(offset, shape, stride)
                            + " exceeds its storage of "
                            + elements
                            + " elements");
        }
        this.kind = kind;
        this.storage = storage.duplicate().order(storage.order());
        this.offset = offset;
        this.shape = shape.clone();
        this.stride = stride.clone();
        this.count = count;
    }

    private static String view(long offset, long[] shape, long[] stride) {
        return "tensor view (offset "
                + offset
                + ", shape "
                + Arrays.toString(shape)
                + ", stride "
                + Arrays.toString(stride)
                + ")";
    }

    /**
     * @return the number of elements (at most {@link #MAX_ELEMENTS})
     */
    long elementCount() {
        return count;
    }

    /**
     * @return the tensor's shape
     */
    public Shape getShape() {
        return new Shape(shape);
    }

    /**
     * @return whether the elements are floating point (float32/64, half, bfloat16)
     */
    public boolean isFloating() {
        return kind.floating;
    }

    /**
     * @return the element type name, e.g. {@code FLOAT} or {@code LONG}
     */
    public String getElementType() {
        return kind.name();
    }

    /**
     * Returns the elements in row-major order as float32 (floating kinds only).
     *
     * @return the values
     * @throws IllegalStateException for integer or bool tensors
     */
    public float[] toFloats() {
        if (!kind.floating) {
            throw new IllegalStateException("tensor of " + kind + " is not floating point");
        }
        int n = (int) count;
        float[] out = new float[n];
        long[] index = new long[shape.length];
        for (int i = 0; i < n; i++) {
            long at = offset;
            for (int d = 0; d < shape.length; d++) {
                at += index[d] * stride[d];
            }
            out[i] = read(Math.toIntExact(at * kind.bytes)); // < storage bytes, checked on creation
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return out;
    }

    /**
     * Copies the tensor into a float32 NDArray.
     *
     * @param manager the manager that owns the result
     * @return a new array with this tensor's shape
     */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(toFloats(), getShape());
    }

    private float read(int byteIndex) {
        switch (kind) {
            case FLOAT:
                return storage.getFloat(byteIndex);
            case DOUBLE:
                return (float) storage.getDouble(byteIndex);
            case HALF:
                return halfToFloat(storage.getShort(byteIndex));
            case BFLOAT16:
                return Float.intBitsToFloat((storage.getShort(byteIndex) & 0xffff) << 16);
            default:
                throw new IllegalStateException("not floating: " + kind);
        }
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "TorchTensor(" + kind + ", " + getShape() + ")";
    }

    /** IEEE 754 binary16 to float32 (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
