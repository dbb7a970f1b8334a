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
        FLOAT(4, true), DOUBLE(8, true), HALF(2, true), BFLOAT16(2, true),
        LONG(8, false), INT(4, false), SHORT(2, false), CHAR(1, false), BYTE(1, false), BOOL(1, false);

        final int bytes;
        final boolean floating;

        Kind(int bytes, boolean floating) {
            this.bytes = bytes;
            this.floating = floating;
        }

        /** Maps a storage class name such as {@code FloatStorage}. */
        static Kind ofStorage(String storageClass) {
            switch (storageClass) {
                case "FloatStorage": return FLOAT;
                case "DoubleStorage": return DOUBLE;
                case "HalfStorage": return HALF;
                case "BFloat16Storage": return BFLOAT16;
                case "LongStorage": return LONG;
                case "IntStorage": return INT;
                case "ShortStorage": return SHORT;
                case "CharStorage": return CHAR;
                case "ByteStorage": return BYTE;
                case "BoolStorage": return BOOL;
                default:
                    throw new IllegalArgumentException("unsupported torch storage type " + storageClass);
            }
        }
    }

    private final Kind kind;
    private final ByteBuffer storage;
    private final long offset;
    private final long[] shape;
    private final long[] stride;

    TorchTensor(Kind kind, ByteBuffer storage, long offset, long[] shape, long[] stride) {
        if (shape.length != stride.length) {
            throw new IllegalArgumentException(
                    "tensor shape " + Arrays.toString(shape) + " and stride "
                            + Arrays.toString(stride) + " differ in rank");
        }
        long last = offset;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || stride[d] < 0) {
                throw new IllegalArgumentException("negative tensor size or stride");
            }
            if (shape[d] == 0) {
                last = -1;
                break;
            }
            last += (shape[d] - 1) * stride[d];
        }
        long elements = storage.capacity() / kind.bytes;
        if (offset < 0 || last >= elements) {
            throw new IllegalArgumentException(
                    "tensor view (offset " + offset + ", shape " + Arrays.toString(shape)
                            + ", stride " + Arrays.toString(stride) + ") exceeds its storage of "
                            + elements + " elements");
        }
        this.kind = kind;
        this.storage = storage.duplicate().order(storage.order());
        this.offset = offset;
        this.shape = shape.clone();
        this.stride = stride.clone();
    }

    /** @return the tensor's shape */
    public Shape getShape() {
        return new Shape(shape);
    }

    /** @return whether the elements are floating point (float32/64, half, bfloat16) */
    public boolean isFloating() {
        return kind.floating;
    }

    /** @return the element type name, e.g. {@code FLOAT} or {@code LONG} */
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
        int n = Math.toIntExact(new Shape(shape).size());
        float[] out = new float[n];
        long[] index = new long[shape.length];
        for (int i = 0; i < n; i++) {
            long at = offset;
            for (int d = 0; d < shape.length; d++) {
                at += index[d] * stride[d];
            }
            out[i] = read(Math.toIntExact(at * kind.bytes));
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
