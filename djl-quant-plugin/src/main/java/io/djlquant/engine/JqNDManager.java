package io.djlquant.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The JavaQuant {@link NDManager}: creates {@link JqNDArray}s held in Java memory.
 *
 * <p>Besides DJL's copying {@code create} methods it offers {@code wrap} methods that take
 * ownership of a primitive array without copying, for kernels that build their output directly.
 */
public class JqNDManager extends BaseNDManager {

    private JqNDManager(NDManager parent, Device device) {
        super(parent, checkCpu(device));
        if (alternativeManager == null && !(this instanceof NoAlternative)) {
            // DJL's NDArrayAdapter fails without naming the operation when this is null.
            alternativeManager = NoAlternative.INSTANCE;
        }
    }

    /**
     * Whether operations JavaQuant lacks can run on another engine (PyTorch when present).
     *
     * @return {@code true} if an alternative engine is available
     */
    public boolean hasAlternative() {
        return alternativeManager != null && !(alternativeManager instanceof NoAlternative);
    }

    /**
     * The error for an operation JavaQuant does not implement when no alternative engine exists.
     *
     * @param op the operation, e.g. {@code NDArray.softmax}
     * @return the exception to throw
     */
    static UnsupportedOperationException unsupported(String op) {
        return new UnsupportedOperationException(
                "The JavaQuant engine does not implement "
                        + op
                        + " and no alternative engine is available (PyTorch is not on the class"
                        + " path, or "
                        + JqEngine.DISABLE_ALTERNATIVE_PROPERTY
                        + "=true). Int8 inference of a .jq model needs no other operation; for "
                        + op
                        + " add ai.djl.pytorch:pytorch-engine and the pytorch-native-cpu jar of"
                        + " your platform");
    }

    static JqNDManager getSystemManager() {
        return SystemHolder.INSTANCE;
    }

    private static Device checkCpu(Device device) {
        if (device != null && !Device.Type.CPU.equals(device.getDeviceType())) {
            throw new IllegalArgumentException(
                    "The JavaQuant engine runs on the CPU only, not on " + device);
        }
        return device;
    }

    /** {@inheritDoc} */
    @Override
    public final Engine getEngine() {
        return Engine.getEngine(JqEngine.ENGINE_NAME);
    }

    /** {@inheritDoc} */
    @Override
    public ByteBuffer allocateDirect(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    /** {@inheritDoc} */
    @Override
    public JqNDManager newSubManager(Device device) {
        JqNDManager manager = new JqNDManager(this, device);
        attachInternal(manager.uid, manager);
        return manager;
    }

    /**
     * Returns {@code array} itself if it already is a {@link JqNDArray}, otherwise a JavaQuant copy
     * of it (same shape, data type and name) attached to this manager.
     *
     * @param array the array to convert, may be {@code null}
     * @return a {@link JqNDArray} or {@code null}
     */
    @Override
    public JqNDArray from(NDArray array) {
        if (array == null || array instanceof JqNDArray) {
            return (JqNDArray) array;
        }
        JqNDArray result = create(array.toByteBuffer(), array.getShape(), array.getDataType());
        result.setName(array.getName());
        return result;
    }

    /**
     * Creates an array by copying {@code data}; a {@link ByteBuffer} is read as raw bytes in native
     * order (DJL's convention), other buffers element by element.
     *
     * @param data the data to copy (from its position; the buffer is not modified)
     * @param shape the shape
     * @param dataType the data type
     * @return a new array attached to this manager
     */
    @Override
    public JqNDArray create(Buffer data, Shape shape, DataType dataType) {
        int size = JqStorage.checkedSize(shape);
        JqStorage.checkSupported(dataType);
        BaseNDManager.validateBuffer(data, dataType, size);
        Object storage = JqStorage.copyFrom(data, dataType, size);
        return new JqNDArray(this, alternativeManager, shape, dataType, storage);
    }

    /**
     * Creates a FLOAT32 array holding a copy of {@code data}.
     *
     * @param data the values, row-major
     * @param shape the shape
     * @return a new array attached to this manager
     */
    @Override
    public JqNDArray create(float[] data, Shape shape) {
        checkLength(data.length, shape);
        return new JqNDArray(this, alternativeManager, shape, DataType.FLOAT32, data.clone());
    }

    /**
     * Creates an INT32 array holding a copy of {@code data}.
     *
     * @param data the values, row-major
     * @param shape the shape
     * @return a new array attached to this manager
     */
    @Override
    public JqNDArray create(int[] data, Shape shape) {
        checkLength(data.length, shape);
        return new JqNDArray(this, alternativeManager, shape, DataType.INT32, data.clone());
    }

    /**
     * Creates an INT8 array holding a copy of {@code data}.
     *
     * @param data the values, row-major
     * @param shape the shape
     * @return a new array attached to this manager
     */
    @Override
    public JqNDArray create(byte[] data, Shape shape) {
        checkLength(data.length, shape);
        return new JqNDArray(this, alternativeManager, shape, DataType.INT8, data.clone());
    }

    /**
     * Not supported: JavaQuant arrays hold numbers only.
     *
     * @param data unused
     * @param charset unused
     * @param shape unused
     * @return never
     * @throws UnsupportedOperationException always
     */
    @Override
    public NDArray create(String[] data, java.nio.charset.Charset charset, Shape shape) {
        throw new UnsupportedOperationException(
                "The JavaQuant engine does not support STRING arrays");
    }

    /**
     * Creates an array of zeros.
     *
     * @param shape the shape
     * @param dataType the data type
     * @return a new array attached to this manager
     */
    @Override
    public JqNDArray create(Shape shape, DataType dataType) {
        int size = JqStorage.checkedSize(shape);
        JqStorage.checkSupported(dataType);
        return new JqNDArray(
                this, alternativeManager, shape, dataType, JqStorage.allocate(dataType, size));
    }

    /** {@inheritDoc} */
    @Override
    public JqNDArray zeros(Shape shape, DataType dataType) {
        return create(shape, dataType);
    }

    /** {@inheritDoc} */
    @Override
    public JqNDArray ones(Shape shape, DataType dataType) {
        return full(shape, 1f, dataType);
    }

    /** {@inheritDoc} */
    @Override
    public JqNDArray full(Shape shape, float value, DataType dataType) {
        JqNDArray array = create(shape, dataType);
        JqStorage.fill(array.storage(), dataType, value);
        return array;
    }

    /**
     * Wraps a float32 array without copying; the new array owns {@code data}.
     *
     * @param data the values, row-major, length equal to {@code shape.size()}
     * @param shape the shape
     * @return a new float32 array attached to this manager
     */
    public JqNDArray wrap(float[] data, Shape shape) {
        checkLength(data.length, shape);
        return new JqNDArray(this, alternativeManager, shape, DataType.FLOAT32, data);
    }

    /**
     * Wraps an int32 array without copying; the new array owns {@code data}.
     *
     * @param data the values, row-major, length equal to {@code shape.size()}
     * @param shape the shape
     * @return a new int32 array attached to this manager
     */
    public JqNDArray wrap(int[] data, Shape shape) {
        checkLength(data.length, shape);
        return new JqNDArray(this, alternativeManager, shape, DataType.INT32, data);
    }

    /**
     * Wraps a byte array of a one-byte data type (INT8, UINT8 or BOOLEAN) without copying; the new
     * array owns {@code data}.
     *
     * @param data the values, row-major, length equal to {@code shape.size()}
     * @param shape the shape
     * @param dataType INT8, UINT8 or BOOLEAN
     * @return a new array attached to this manager
     */
    public JqNDArray wrap(byte[] data, Shape shape, DataType dataType) {
        if (!JqStorage.isByteElement(dataType)) {
            throw new IllegalArgumentException(
                    "wrap(byte[]) needs INT8, UINT8 or BOOLEAN, not " + dataType);
        }
        checkLength(data.length, shape);
        return new JqNDArray(this, alternativeManager, shape, dataType, data);
    }

    private static void checkLength(int length, Shape shape) {
        int size = JqStorage.checkedSize(shape);
        if (length != size) {
            throw new IllegalArgumentException(
                    "Data has " + length + " elements but shape " + shape + " needs " + size);
        }
    }

    /** {@inheritDoc} */
    @Override
    public NDArray arange(float start, float stop, float step, DataType dataType) {
        return viaAlternative(alternative("arange").arange(start, stop, step, dataType));
    }

    /** {@inheritDoc} */
    @Override
    public NDArray eye(int rows, int cols, int k, DataType dataType) {
        return viaAlternative(alternative("eye").eye(rows, cols, k, dataType));
    }

    /** {@inheritDoc} */
    @Override
    public NDArray linspace(float start, float stop, int num, boolean endpoint) {
        return viaAlternative(alternative("linspace").linspace(start, stop, num, endpoint));
    }

    /** {@inheritDoc} */
    @Override
    public NDArray randomInteger(long low, long high, Shape shape, DataType dataType) {
        return viaAlternative(
                alternative("randomInteger").randomInteger(low, high, shape, dataType));
    }

    /** {@inheritDoc} */
    @Override
    public NDArray randomUniform(float low, float high, Shape shape, DataType dataType) {
        return viaAlternative(
                alternative("randomUniform").randomUniform(low, high, shape, dataType));
    }

    /** {@inheritDoc} */
    @Override
    public NDArray randomNormal(float loc, float scale, Shape shape, DataType dataType) {
        return viaAlternative(
                alternative("randomNormal").randomNormal(loc, scale, shape, dataType));
    }

    private NDManager alternative(String op) {
        if (!hasAlternative()) {
            throw unsupported("NDManager." + op);
        }
        return alternativeManager;
    }

    /* Copies an array created by the alternative engine into this manager, then frees it. */
    private JqNDArray viaAlternative(NDArray array) {
        try (array) {
            return from(array);
        }
    }

    /**
     * Refuses new arrays and sub-managers once this manager is closed. DJL's base class would
     * accept them into a manager nobody closes again; for a model that was closed while another
     * thread still predicts, the next prediction then fails here with a clear message instead of
     * silently running on a closed model.
     *
     * @throws IllegalStateException if this manager is closed
     */
    @Override
    public synchronized void attachInternal(String resourceId, AutoCloseable... resource) {
        if (!isOpen()) {
            throw new IllegalStateException(
                    this
                            + " is closed (was its model or predictor closed?): no new arrays or"
                            + " sub-managers can be attached to it");
        }
        super.attachInternal(resourceId, resource);
    }

    /**
     * Returns how many arrays and managers are attached to this manager and, recursively, to its
     * JavaQuant sub-managers, plus the arrays of its alternative (PyTorch) manager. A predictor
     * creates one sub-manager per call and closes it at the end, so a count that grows with the
     * number of calls reveals a leak; long runs and the soak tests watch it.
     *
     * @return the number of live resources under this manager
     */
    public int countResources() {
        int count = tempResources.size();
        for (AutoCloseable r : resources.values()) {
            count++;
            if (r instanceof JqNDManager) {
                count += ((JqNDManager) r).countResources();
            }
        }
        NDManager alternative = alternativeManager;
        if (hasAlternative() && alternative.isOpen()) {
            count += alternative.getManagedArrays().size();
        }
        return count;
    }

    /** {@inheritDoc} */
    @Override
    public void close() {
        super.close();
        if (hasAlternative()) {
            alternativeManager.close();
            alternativeManager = null;
        }
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "JqNDManager(" + getName() + ", " + getDevice() + ')';
    }

    /**
     * Stands in for the alternative manager when there is no alternative engine, so that every
     * operation DJL's {@code NDArrayAdapter} would hand over fails with its name in the message
     * (DJL's own message does not say which operation was missing).
     */
    private static final class NoAlternative extends JqNDManager {

        static final NoAlternative INSTANCE = new NoAlternative();

        NoAlternative() {
            super(null, null);
        }

        /** Always fails, naming the operation that asked for a copy in another engine. */
        @Override
        public JqNDArray from(NDArray array) {
            throw unsupported(callerOperation());
        }

        /* The NDArray method that wanted the alternative engine, found on the stack. */
        private static String callerOperation() {
            return StackWalker.getInstance()
                    .walk(
                            frames ->
                                    frames.filter(NoAlternative::isArrayMethod)
                                            .map(StackWalker.StackFrame::getMethodName)
                                            .filter(m -> !m.equals("getAlternativeArray"))
                                            .findFirst())
                    .map(m -> "NDArray." + m)
                    .orElse("this operation");
        }

        private static boolean isArrayMethod(StackWalker.StackFrame frame) {
            String c = frame.getClassName();
            return c.startsWith("ai.djl.ndarray.") || c.equals(JqNDArray.class.getName());
        }

        /** {@inheritDoc} */
        @Override
        public void close() {}
    }

    /* Created on first use, after the engine exists, because BaseNDManager asks the engine. */
    private static final class SystemHolder {
        static final JqNDManager INSTANCE = new SystemManager();
    }

    /** The root manager of all JavaQuant managers; it lives as long as the JVM. */
    private static final class SystemManager extends JqNDManager implements SystemNDManager {

        SystemManager() {
            super(null, null);
        }

        /** {@inheritDoc} */
        @Override
        public void close() {}
    }
}
