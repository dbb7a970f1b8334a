package io.djlquant.engine;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * How a {@link JqNDArray} keeps its elements: FLOAT32 in a {@code float[]}, INT32 in an {@code
 * int[]}, every other data type as raw native-order bytes in a {@code byte[]} (so INT8, UINT8 and
 * BOOLEAN hold one element per byte).
 */
final class JqStorage {

    /** Data types a {@link JqNDArray} can hold. */
    static final Set<DataType> SUPPORTED =
            EnumSet.of(
                    DataType.FLOAT32,
                    DataType.FLOAT64,
                    DataType.FLOAT16,
                    DataType.BFLOAT16,
                    DataType.INT8,
                    DataType.UINT8,
                    DataType.INT16,
                    DataType.UINT16,
                    DataType.INT32,
                    DataType.UINT32,
                    DataType.INT64,
                    DataType.UINT64,
                    DataType.BOOLEAN);

    /* Largest Java array the JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private JqStorage() {}

    static void checkSupported(DataType dataType) {
        if (!SUPPORTED.contains(dataType)) {
            throw new IllegalArgumentException(
                    "The JavaQuant engine does not support data type "
                            + dataType
                            + "; supported: "
                            + SUPPORTED);
        }
    }

    static boolean isByteElement(DataType dataType) {
        return dataType == DataType.INT8
                || dataType == DataType.UINT8
                || dataType == DataType.BOOLEAN;
    }

    /** Returns the element count of {@code shape}, rejecting unknown (negative) or huge shapes. */
    static int checkedSize(Shape shape) {
        long size = 1;
        for (long dim : shape.getShape()) {
            if (dim < 0) {
                throw new IllegalArgumentException("Shape " + shape + " has an unknown dimension");
            }
            size *= dim;
            if (size > MAX_ARRAY) {
                throw new IllegalArgumentException(
                        "Shape " + shape + " is too large for Java memory");
            }
        }
        return (int) size;
    }

    static int byteLength(DataType dataType, int size) {
        long bytes = (long) size * dataType.getNumOfBytes();
        if (bytes > MAX_ARRAY) {
            throw new IllegalArgumentException(
                    size + " elements of " + dataType + " are too large for Java memory");
        }
        return (int) bytes;
    }

    static Object allocate(DataType dataType, int size) {
        switch (dataType) {
            case FLOAT32:
                return new float[size];
            case INT32:
                return new int[size];
            default:
                return new byte[byteLength(dataType, size)];
        }
    }

    /** Copies {@code size} elements from {@code data} without moving its position. */
    static Object copyFrom(Buffer data, DataType dataType, int size) {
        if (data instanceof ByteBuffer) {
            ByteBuffer bytes = ((ByteBuffer) data).duplicate().order(ByteOrder.nativeOrder());
            bytes.limit(bytes.position() + byteLength(dataType, size));
            return fromNativeBytes(bytes, dataType, size);
        }
        if (dataType == DataType.FLOAT32 && data instanceof FloatBuffer) {
            float[] out = new float[size];
            ((FloatBuffer) data).duplicate().get(out);
            return out;
        }
        if (dataType == DataType.INT32 && data instanceof IntBuffer) {
            int[] out = new int[size];
            ((IntBuffer) data).duplicate().get(out);
            return out;
        }
        Buffer limited = data.duplicate();
        limited.limit(limited.position() + size);
        ByteBuffer bytes =
                ByteBuffer.allocate(byteLength(dataType, size)).order(ByteOrder.nativeOrder());
        BaseNDManager.copyBuffer(limited, bytes);
        bytes.rewind();
        return fromNativeBytes(bytes, dataType, size);
    }

    private static Object fromNativeBytes(ByteBuffer bytes, DataType dataType, int size) {
        switch (dataType) {
            case FLOAT32:
                float[] f = new float[size];
                bytes.asFloatBuffer().get(f);
                return f;
            case INT32:
                int[] i = new int[size];
                bytes.asIntBuffer().get(i);
                return i;
            default:
                byte[] b = new byte[bytes.remaining()];
                bytes.get(b);
                return b;
        }
    }

    /** Returns the elements as native-order bytes in a new buffer positioned at 0. */
    static ByteBuffer toByteBuffer(Object storage, DataType dataType, int size, boolean direct) {
        int length = byteLength(dataType, size);
        ByteBuffer out = direct ? ByteBuffer.allocateDirect(length) : ByteBuffer.allocate(length);
        out.order(ByteOrder.nativeOrder());
        if (storage instanceof float[]) {
            out.asFloatBuffer().put((float[]) storage);
        } else if (storage instanceof int[]) {
            out.asIntBuffer().put((int[]) storage);
        } else {
            out.put((byte[]) storage).rewind();
        }
        return out;
    }

    /** Overwrites {@code target} with {@code size} elements of {@code data}. */
    static void copyInto(Object target, Buffer data, DataType dataType, int size) {
        Object source = copyFrom(data, dataType, size);
        System.arraycopy(source, 0, target, 0, java.lang.reflect.Array.getLength(target));
    }

    static Object copy(Object storage) {
        if (storage instanceof float[]) {
            return ((float[]) storage).clone();
        }
        if (storage instanceof int[]) {
            return ((int[]) storage).clone();
        }
        return ((byte[]) storage).clone();
    }

    /** Sets every element to {@code value} converted to {@code dataType}. */
    static void fill(Object storage, DataType dataType, float value) {
        if (storage instanceof float[]) {
            Arrays.fill((float[]) storage, value);
            return;
        }
        if (storage instanceof int[]) {
            Arrays.fill((int[]) storage, (int) value);
            return;
        }
        byte[] bytes = (byte[]) storage;
        if (isByteElement(dataType)) {
            byte b =
                    dataType == DataType.BOOLEAN ? (byte) (value != 0 ? 1 : 0) : (byte) (int) value;
            Arrays.fill(bytes, b);
            return;
        }
        ByteBuffer out = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        while (out.hasRemaining()) {
            switch (dataType) {
                case FLOAT64:
                    out.putDouble(value);
                    break;
                case INT64:
                case UINT64:
                    out.putLong((long) value);
                    break;
                case INT16:
                case UINT16:
                    out.putShort((short) (int) value);
                    break;
                case UINT32:
                    out.putInt((int) (long) value);
                    break;
                case BFLOAT16:
                    // bfloat16 is the upper half of a float32.
                    out.putShort((short) (Float.floatToIntBits(value) >>> 16));
                    break;
                default:
                    if (value != 0f) {
                        throw new UnsupportedOperationException(
                                "The JavaQuant engine cannot fill " + dataType + " with " + value);
                    }
                    return;
            }
        }
    }
}
