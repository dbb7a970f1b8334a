package io.djlquant.format;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable named tensor of a {@code .jq} file: data type, shape and the elements as
 * little-endian bytes.
 */
public final class JqTensor {

    private final String name;
    private final DataType dataType;
    private final Shape shape;
    private final ByteBuffer data;

    /**
     * Creates a tensor over little-endian bytes (copied unless already read-only).
     *
     * @param name the tensor name (non-empty)
     * @param dataType a data type the format supports
     * @param shape the shape (no unknown dimensions)
     * @param littleEndianData exactly {@code shape.size() * dataType.getNumOfBytes()} bytes from
     *     its position
     * @throws IllegalArgumentException if the data length disagrees with shape and type
     */
    public JqTensor(String name, DataType dataType, Shape shape, ByteBuffer littleEndianData) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("Tensor name must not be empty");
        }
        if (!DTypeCodes.isSupported(dataType)) {
            throw new IllegalArgumentException(
                    "Tensor '" + name + "': data type " + dataType + " is not supported");
        }
        long bytes = byteLength(name, dataType, shape);
        if (littleEndianData.remaining() != bytes) {
            throw new IllegalArgumentException(
                    "Tensor '"
                            + name
                            + "' of shape "
                            + shape
                            + " and type "
                            + dataType
                            + " needs "
                            + bytes
                            + " bytes, got "
                            + littleEndianData.remaining());
        }
        ByteBuffer view;
        if (littleEndianData.isReadOnly()) {
            view = littleEndianData.slice();
        } else {
            view = ByteBuffer.allocate((int) bytes);
            view.put(littleEndianData.duplicate()).flip();
            view = view.asReadOnlyBuffer();
        }
        this.name = name;
        this.dataType = dataType;
        this.shape = shape;
        this.data = view.order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long byteLength(String name, DataType dataType, Shape shape) {
        long count = 1;
        for (long dim : shape.getShape()) {
            if (dim < 0) {
                throw new IllegalArgumentException(
                        "Tensor '" + name + "' has unknown dimension in shape " + shape);
            }
            count = Math.multiplyExact(count, dim);
        }
        return Math.multiplyExact(count, (long) dataType.getNumOfBytes());
    }

    /**
     * Copies an NDArray of any engine.
     *
     * @param name the tensor name
     * @param array the array to copy
     * @return a new tensor
     */
    public static JqTensor of(String name, NDArray array) {
        ByteBuffer nativeBytes = array.toByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer le = reorder(nativeBytes, ByteOrder.LITTLE_ENDIAN, array.getDataType());
        return new JqTensor(name, array.getDataType(), array.getShape(), le);
    }

    /**
     * Copies float32 values.
     *
     * @param name the tensor name
     * @param values the values, row-major
     * @param shape the shape
     * @return a new FLOAT32 tensor
     */
    public static JqTensor of(String name, float[] values, Shape shape) {
        ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(values);
        return new JqTensor(name, DataType.FLOAT32, shape, bb);
    }

    /**
     * Copies int32 values.
     *
     * @param name the tensor name
     * @param values the values, row-major
     * @param shape the shape
     * @return a new INT32 tensor
     */
    public static JqTensor of(String name, int[] values, Shape shape) {
        ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asIntBuffer().put(values);
        return new JqTensor(name, DataType.INT32, shape, bb);
    }

    /**
     * Copies one-byte values (INT8, UINT8, BOOLEAN).
     *
     * @param name the tensor name
     * @param values the values, row-major
     * @param shape the shape
     * @param dataType INT8, UINT8 or BOOLEAN
     * @return a new tensor
     */
    public static JqTensor of(String name, byte[] values, Shape shape, DataType dataType) {
        if (dataType.getNumOfBytes() != 1) {
            throw new IllegalArgumentException("Byte values need a one-byte type, not " + dataType);
        }
        return new JqTensor(name, dataType, shape, ByteBuffer.wrap(values.clone()));
    }

    /**
     * Returns the same data under another name.
     *
     * @param newName the new name
     * @return a tensor sharing this tensor's bytes
     */
    public JqTensor withName(String newName) {
        return new JqTensor(newName, dataType, shape, data.duplicate());
    }

    /**
     * Checks the data type, for codecs validating an untrusted file.
     *
     * @param expected the required data type
     * @return this tensor
     * @throws MalformedModelException naming the tensor if the type differs
     */
    public JqTensor expect(DataType expected) throws MalformedModelException {
        if (dataType != expected) {
            throw new MalformedModelException(
                    "Tensor '" + name + "' must be " + expected + ", not " + dataType);
        }
        return this;
    }

    /**
     * Checks data type and shape, for codecs validating an untrusted file.
     *
     * @param expected the required data type
     * @param dims the required dimensions; -1 accepts any size (the rank must match)
     * @return this tensor
     * @throws MalformedModelException naming the tensor if type or shape differ
     */
    public JqTensor expect(DataType expected, long... dims) throws MalformedModelException {
        expect(expected);
        boolean ok = shape.dimension() == dims.length;
        for (int i = 0; ok && i < dims.length; i++) {
            ok = dims[i] == -1 || dims[i] == shape.get(i);
        }
        if (!ok) {
            throw new MalformedModelException(
                    "Tensor '"
                            + name
                            + "' has shape "
                            + shape
                            + ", expected "
                            + Arrays.toString(dims).replace("-1", "?"));
        }
        return this;
    }

    /**
     * Returns the tensor name.
     *
     * @return the name
     */
    public String getName() {
        return name;
    }

    /**
     * Returns the data type.
     *
     * @return the data type
     */
    public DataType getDataType() {
        return dataType;
    }

    /**
     * Returns the shape.
     *
     * @return the shape
     */
    public Shape getShape() {
        return shape;
    }

    /**
     * Returns the number of data bytes.
     *
     * @return the byte length
     */
    public int getByteLength() {
        return data.remaining();
    }

    /**
     * Returns a read-only little-endian view of the data, positioned at 0.
     *
     * @return the data
     */
    public ByteBuffer getData() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Returns the elements of a FLOAT32 tensor.
     *
     * @return a new array
     * @throws IllegalStateException if the type is not FLOAT32
     */
    public float[] toFloatArray() {
        requireType(DataType.FLOAT32);
        float[] out = new float[data.remaining() / 4];
        getData().asFloatBuffer().get(out);
        return out;
    }

    /**
     * Returns the elements of an INT32 tensor.
     *
     * @return a new array
     * @throws IllegalStateException if the type is not INT32
     */
    public int[] toIntArray() {
        requireType(DataType.INT32);
        int[] out = new int[data.remaining() / 4];
        getData().asIntBuffer().get(out);
        return out;
    }

    /**
     * Returns the raw little-endian bytes (for one-byte types, the elements).
     *
     * @return a new array
     */
    public byte[] toByteArray() {
        byte[] out = new byte[data.remaining()];
        getData().get(out);
        return out;
    }

    private void requireType(DataType expected) {
        if (dataType != expected) {
            throw new IllegalStateException(
                    "Tensor '" + name + "' is " + dataType + ", not " + expected);
        }
    }

    /**
     * Creates an NDArray holding a copy of this tensor; its name is this tensor's name.
     *
     * @param manager the manager (of any engine) that owns the new array
     * @return the new array
     */
    public NDArray toNDArray(NDManager manager) {
        ByteBuffer nativeBytes = reorder(getData(), ByteOrder.nativeOrder(), dataType);
        ByteBuffer direct = manager.allocateDirect(nativeBytes.remaining());
        direct.put(nativeBytes).rewind();
        NDArray array = manager.create(direct, shape, dataType);
        array.setName(name);
        return array;
    }

    /* Copies {@code src} (from its position) into a heap buffer of byte order {@code order}. */
    private static ByteBuffer reorder(ByteBuffer src, ByteOrder order, DataType dataType) {
        ByteBuffer in = src.duplicate().order(src.order());
        ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(order);
        int width = dataType.getNumOfBytes();
        if (width == 1 || in.order() == order) {
            out.put(in);
        } else {
            byte[] element = new byte[width];
            while (in.hasRemaining()) {
                in.get(element);
                for (int i = width - 1; i >= 0; i--) {
                    out.put(element[i]);
                }
            }
        }
        out.flip();
        return out.order(order);
    }

    /** Tensors are equal if name, type, shape and bytes are equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof JqTensor)) {
            return false;
        }
        JqTensor other = (JqTensor) o;
        return name.equals(other.name)
                && dataType == other.dataType
                && shape.equals(other.shape)
                && data.equals(other.data);
    }

    /** {@inheritDoc} */
    @Override
    public int hashCode() {
        return Objects.hash(name, dataType, Arrays.hashCode(shape.getShape()), data);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "JqTensor(" + name + ", " + dataType + ", " + shape + ')';
    }
}
