package io.djlquant.engine;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrayAdapter;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * The JavaQuant {@link NDArray}: elements live in a Java array (FLOAT32 in a {@code float[]}, INT32
 * in an {@code int[]}, INT8/UINT8/BOOLEAN one per byte in a {@code byte[]}, other types as raw
 * native-order bytes). An array may carry quantization parameters (scales, zero points and the
 * channel axis) that say how its integers map to real numbers.
 *
 * <p>What a predictor does with a batch runs here, in Java: stacking and concatenation (DJL's
 * {@code Batchifier.STACK}), splitting, squeezing, reshaping, type conversion and softmax; int8
 * arrays keep their quantization parameters through all of them. Other operations run on the
 * alternative engine (see {@link NDArrayAdapter}) and their results belong to that engine; without
 * one they fail with a message naming the operation.
 */
public class JqNDArray extends NDArrayAdapter {

    /** Quantization axis value that means one scale and zero point for the whole tensor. */
    public static final int PER_TENSOR = -1;

    private Object storage;
    private float[] quantScales;
    private int[] quantZeroPoints;
    private int quantAxis = PER_TENSOR;

    /* Any manager may own a JqNDArray (attach() can move it), so none is assumed here. */
    JqNDArray(
            NDManager manager,
            NDManager alternativeManager,
            Shape shape,
            DataType dataType,
            Object storage) {
        super(manager, alternativeManager, shape, dataType, NDManager.nextUid());
        this.storage = storage;
        manager.attachInternal(uid, this);
    }

    NDManager alternativeManager() {
        return alternativeManager;
    }

    Object storage() {
        checkOpen();
        return storage;
    }

    private void checkOpen() {
        if (isClosed) {
            throw new IllegalStateException("JqNDArray " + uid + " has been closed");
        }
    }

    private int elementCount() {
        return (int) shape.size();
    }

    /**
     * Returns the backing {@code float[]} of a FLOAT32 array, without copying. Callers must not
     * modify it unless they own this array.
     *
     * @return the backing array
     * @throws IllegalStateException if the data type is not FLOAT32 or the array is closed
     */
    public float[] getFloatData() {
        Object s = storage();
        if (!(s instanceof float[])) {
            throw new IllegalStateException("getFloatData() needs FLOAT32, array is " + dataType);
        }
        return (float[]) s;
    }

    /**
     * Returns the backing {@code int[]} of an INT32 array, without copying. Callers must not modify
     * it unless they own this array.
     *
     * @return the backing array
     * @throws IllegalStateException if the data type is not INT32 or the array is closed
     */
    public int[] getIntData() {
        Object s = storage();
        if (!(s instanceof int[])) {
            throw new IllegalStateException("getIntData() needs INT32, array is " + dataType);
        }
        return (int[]) s;
    }

    /**
     * Returns the backing {@code byte[]} of an INT8, UINT8 or BOOLEAN array (one element per byte;
     * UINT8 values are read with {@code b & 0xFF}), without copying. Callers must not modify it
     * unless they own this array.
     *
     * @return the backing array
     * @throws IllegalStateException if the data type has not one byte per element or the array is
     *     closed
     */
    public byte[] getByteData() {
        Object s = storage();
        if (!JqStorage.isByteElement(dataType)) {
            throw new IllegalStateException(
                    "getByteData() needs INT8, UINT8 or BOOLEAN, array is " + dataType);
        }
        return (byte[]) s;
    }

    /**
     * Attaches quantization parameters: element {@code i} along {@code axis} means {@code (q -
     * zeroPoints[i]) * scales[i]}. Per-tensor parameters have length 1 and axis {@link
     * #PER_TENSOR}. The arrays are copied.
     *
     * @param scales positive finite scales
     * @param zeroPoints zero points, same length as {@code scales}
     * @param axis {@link #PER_TENSOR} or the channel axis (its dimension must equal the length)
     * @return this array
     * @throws IllegalArgumentException if the parameters do not fit this array
     */
    public JqNDArray setQuantization(float[] scales, int[] zeroPoints, int axis) {
        checkOpen();
        if (scales.length == 0 || scales.length != zeroPoints.length) {
            throw new IllegalArgumentException(
                    "Need as many scales as zero points (at least one), got "
                            + scales.length
                            + " and "
                            + zeroPoints.length);
        }
        for (float s : scales) {
            if (!(s > 0f) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("Quantization scale must be positive, got " + s);
            }
        }
        if (axis == PER_TENSOR) {
            if (scales.length != 1) {
                throw new IllegalArgumentException(
                        "Per-tensor quantization needs one scale, got " + scales.length);
            }
        } else {
            if (axis < 0 || axis >= shape.dimension()) {
                throw new IllegalArgumentException(
                        "Quantization axis " + axis + " is outside shape " + shape);
            }
            if (shape.get(axis) != scales.length) {
                throw new IllegalArgumentException(
                        "Per-channel quantization along axis "
                                + axis
                                + " of shape "
                                + shape
                                + " needs "
                                + shape.get(axis)
                                + " scales, got "
                                + scales.length);
            }
        }
        quantScales = scales.clone();
        quantZeroPoints = zeroPoints.clone();
        quantAxis = axis;
        return this;
    }

    /** Removes the quantization parameters. */
    public void clearQuantization() {
        quantScales = null;
        quantZeroPoints = null;
        quantAxis = PER_TENSOR;
    }

    /**
     * Returns whether this array carries quantization parameters.
     *
     * @return {@code true} if quantized
     */
    public boolean isQuantized() {
        return quantScales != null;
    }

    /**
     * Returns a copy of the quantization scales.
     *
     * @return the scales, or {@code null} if not quantized
     */
    public float[] getQuantScales() {
        return quantScales == null ? null : quantScales.clone();
    }

    /**
     * Returns a copy of the quantization zero points.
     *
     * @return the zero points, or {@code null} if not quantized
     */
    public int[] getQuantZeroPoints() {
        return quantZeroPoints == null ? null : quantZeroPoints.clone();
    }

    /**
     * Returns the quantization axis.
     *
     * @return the channel axis, or {@link #PER_TENSOR}
     */
    public int getQuantAxis() {
        return quantAxis;
    }

    private void copyQuantizationTo(JqNDArray other) {
        if (isQuantized()) {
            other.quantScales = quantScales.clone();
            other.quantZeroPoints = quantZeroPoints.clone();
            other.quantAxis = quantAxis;
        }
    }

    /** {@inheritDoc} */
    @Override
    public ByteBuffer toByteBuffer(boolean tryDirect) {
        return JqStorage.toByteBuffer(storage(), dataType, elementCount(), tryDirect);
    }

    /** {@inheritDoc} */
    @Override
    public float[] toFloatArray() {
        Object s = storage();
        if (s instanceof float[]) {
            return ((float[]) s).clone();
        }
        return super.toFloatArray();
    }

    /** {@inheritDoc} */
    @Override
    public int[] toIntArray() {
        Object s = storage();
        if (s instanceof int[]) {
            return ((int[]) s).clone();
        }
        return super.toIntArray();
    }

    /** {@inheritDoc} */
    @Override
    public byte[] toByteArray() {
        Object s = storage();
        if (s instanceof byte[]) {
            return ((byte[]) s).clone();
        }
        return super.toByteArray();
    }

    /**
     * Converts between FLOAT32, INT32, INT8 and UINT8 in Java (float to integer truncates toward
     * zero, narrowing keeps the low bits, as DJL's generic conversion does); other types go through
     * DJL's generic path. The result carries no quantization parameters: it holds plain numbers.
     *
     * @param type the target type
     * @param copy whether to copy when the type is unchanged
     * @return the converted array
     */
    @Override
    public NDArray toType(DataType type, boolean copy) {
        if (type == dataType || !JqCasts.supports(dataType) || !JqCasts.supports(type)) {
            return super.toType(type, copy);
        }
        Object converted = JqCasts.convert(storage(), dataType, type);
        JqNDArray out = new JqNDArray(manager, alternativeManager, shape, type, converted);
        out.setName(name);
        return out;
    }

    /**
     * Pads with a constant, as PyTorch's {@code F.pad} (and DJL's PyTorch engine) reads {@code
     * padding}: pairs (before, after) for the last axis first, then the one before it, and so on.
     * Runs in Java, so DJL's {@code CenterFit}/{@code Pad} image transforms work on JavaQuant
     * (DJL's own adapter has no implementation). Quantized arrays are refused: a pad value in real
     * units has no integer without a rounding rule.
     *
     * @param padding (before, after) pairs from the last axis backwards, non-negative
     * @param value the fill value
     * @return the padded array, same type
     */
    @Override
    public NDArray pad(Shape padding, double value) {
        if (isQuantized()) {
            throw new UnsupportedOperationException("pad of a quantized JavaQuant array");
        }
        long[] p = padding.getShape();
        int rank = shape.dimension();
        if (p.length % 2 != 0 || p.length / 2 > rank) {
            throw new IllegalArgumentException(
                    "pad needs (before, after) pairs for at most "
                            + rank
                            + " axes, got "
                            + padding);
        }
        long[] before = new long[rank];
        long[] out = shape.getShape().clone();
        for (int i = 0; i < p.length / 2; i++) {
            int axis = rank - 1 - i;
            if (p[2 * i] < 0 || p[2 * i + 1] < 0) {
                throw new IllegalArgumentException("pad amounts must be >= 0, got " + padding);
            }
            before[axis] = p[2 * i];
            out[axis] = Math.addExact(out[axis], Math.addExact(p[2 * i], p[2 * i + 1]));
        }
        Shape outShape = new Shape(out);
        float[] x =
                JqCasts.supports(dataType) && dataType != DataType.FLOAT32
                        ? (float[]) JqCasts.convert(storage(), dataType, DataType.FLOAT32)
                        : toFloatArray();
        float[] y = new float[Math.toIntExact(outShape.size())];
        java.util.Arrays.fill(y, (float) value);
        long[] in = shape.getShape();
        int inner = rank == 0 ? 1 : (int) in[rank - 1];
        long rows = rank == 0 ? 1 : shape.size() / Math.max(1, inner);
        long[] idx = new long[rank];
        for (long row = 0; row < rows && inner > 0; row++) {
            // the row's index in every axis but the last, then its start in the output
            long rem = row;
            for (int axis = rank - 2; axis >= 0; axis--) {
                idx[axis] = rem % in[axis];
                rem /= in[axis];
            }
            long dst = 0;
            for (int axis = 0; axis < rank - 1; axis++) {
                dst = dst * out[axis] + idx[axis] + before[axis];
            }
            dst = dst * (rank == 0 ? 1 : out[rank - 1]) + (rank == 0 ? 0 : before[rank - 1]);
            System.arraycopy(x, (int) (row * inner), y, (int) dst, inner);
        }
        Object data =
                dataType == DataType.FLOAT32 || !JqCasts.supports(dataType)
                        ? y
                        : JqCasts.convert(y, DataType.FLOAT32, dataType);
        DataType type = data == y ? DataType.FLOAT32 : dataType;
        return new JqNDArray(manager, alternativeManager, outShape, type, data);
    }

    /** Copies data, name and quantization parameters into a new array in the same manager. */
    @Override
    public JqNDArray duplicate() {
        JqNDArray copy =
                new JqNDArray(
                        manager, alternativeManager, shape, dataType, JqStorage.copy(storage()));
        copy.setName(name);
        copyQuantizationTo(copy);
        return copy;
    }

    /** Overwrites the elements in place; shape, type and quantization parameters are kept. */
    @Override
    public void set(Buffer buffer) {
        int size = elementCount();
        BaseNDManager.validateBuffer(buffer, dataType, size);
        JqStorage.copyInto(storage(), buffer, dataType, size);
    }

    /**
     * Returns a view with a new shape that shares this array's elements (one dimension may be -1).
     * Quantization parameters carry over if they are per tensor, or per channel with the dimensions
     * up to the channel axis unchanged.
     *
     * @param newShape the new shape
     * @return the reshaped view
     */
    @Override
    public JqNDArray reshape(Shape newShape) {
        Shape target = inferShape(newShape);
        JqNDArray view = new JqNDArray(manager, alternativeManager, target, dataType, storage());
        if (isQuantized()) {
            if (quantAxis != PER_TENSOR && !keepsAxis(target)) {
                view.close();
                throw new UnsupportedOperationException(
                        "Reshaping "
                                + shape
                                + " to "
                                + target
                                + " would move the quantization channel axis "
                                + quantAxis);
            }
            copyQuantizationTo(view);
        }
        return view;
    }

    private boolean keepsAxis(Shape target) {
        if (target.dimension() <= quantAxis) {
            return false;
        }
        for (int i = 0; i <= quantAxis; i++) {
            if (target.get(i) != shape.get(i)) {
                return false;
            }
        }
        return true;
    }

    private Shape inferShape(Shape newShape) {
        long[] dims = newShape.getShape().clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("Only one dimension may be -1: " + newShape);
                }
                unknown = i;
            } else if (dims[i] < 0) {
                throw new IllegalArgumentException("Invalid dimension in shape " + newShape);
            } else {
                known *= dims[i];
            }
        }
        long size = shape.size();
        if (unknown >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("Cannot reshape " + shape + " to " + newShape);
            }
            dims[unknown] = size / known;
        } else if (known != size) {
            throw new IllegalArgumentException("Cannot reshape " + shape + " to " + newShape);
        }
        return new Shape(dims);
    }

    /**
     * Returns JavaQuant's internal operations: stacking and concatenation run in Java (so DJL's
     * {@code NDArrays.stack}, used by {@code Batchifier.STACK}, keeps a batch here), the others on
     * the alternative engine.
     *
     * @return the internal operations of this array
     */
    @Override
    public NDArrayEx getNDArrayInternal() {
        checkOpen();
        return new JqNDArrayEx(this);
    }

    /**
     * Splits along {@code axis} into equal sections, in Java; int8 pieces keep the quantization
     * parameters.
     *
     * @param sections the number of sections, dividing the axis length
     * @param axis the axis
     * @return the pieces
     */
    @Override
    public NDList split(long sections, int axis) {
        int ax = axis < 0 ? axis + shape.dimension() : axis;
        if (ax < 0 || ax >= shape.dimension()) {
            throw new IllegalArgumentException("Axis " + axis + " is out of range for " + shape);
        }
        return JqJoin.split(this, JqJoin.evenIndices(shape.get(ax), sections), axis);
    }

    /**
     * Splits along {@code axis} at the given indices, in Java; int8 pieces keep the quantization
     * parameters.
     *
     * @param indices increasing split points
     * @param axis the axis
     * @return the pieces
     */
    @Override
    public NDList split(long[] indices, int axis) {
        return JqJoin.split(this, indices, axis);
    }

    /**
     * Returns a view without the given axes of length 1, sharing this array's elements; a
     * per-channel quantization axis moves with the removed axes.
     *
     * @param axes the axes to remove (negative counts from the end)
     * @return the view
     */
    @Override
    public JqNDArray squeeze(int[] axes) {
        int rank = shape.dimension();
        boolean[] drop = new boolean[rank];
        for (int a : axes) {
            int ax = a < 0 ? a + rank : a;
            if (ax < 0 || ax >= rank || shape.get(ax) != 1) {
                throw new IllegalArgumentException(
                        "Cannot squeeze axis "
                                + a
                                + " of shape "
                                + shape
                                + ": it must have length 1");
            }
            drop[ax] = true;
        }
        long[] dims = new long[rank];
        int n = 0;
        int newAxis = quantAxis;
        for (int i = 0; i < rank; i++) {
            if (!drop[i]) {
                dims[n++] = shape.get(i);
            } else if (quantAxis != PER_TENSOR && i < quantAxis) {
                newAxis--;
            }
        }
        boolean channelDropped = quantAxis != PER_TENSOR && drop[quantAxis];
        return view(
                new Shape(java.util.Arrays.copyOf(dims, n)), channelDropped ? PER_TENSOR : newAxis);
    }

    /**
     * Returns a view with a new axis of length 1 at {@code axis}, sharing this array's elements.
     *
     * @param axis the position of the new axis, 0..rank (negative counts from the end)
     * @return the view
     */
    @Override
    public JqNDArray expandDims(int axis) {
        int rank = shape.dimension();
        int ax = axis < 0 ? axis + rank + 1 : axis;
        if (ax < 0 || ax > rank) {
            throw new IllegalArgumentException(
                    "Cannot insert axis " + axis + " into shape " + shape);
        }
        long[] dims = new long[rank + 1];
        for (int i = 0, j = 0; i <= rank; i++) {
            dims[i] = i == ax ? 1 : shape.get(j++);
        }
        int newAxis = quantAxis == PER_TENSOR || quantAxis < ax ? quantAxis : quantAxis + 1;
        return view(new Shape(dims), newAxis);
    }

    /* A view with another shape; quantization parameters move to the given axis. */
    private JqNDArray view(Shape target, int axis) {
        JqNDArray view = new JqNDArray(manager, alternativeManager, target, dataType, storage());
        view.setName(name);
        if (isQuantized()) {
            view.quantScales = quantScales.clone();
            view.quantZeroPoints = quantZeroPoints.clone();
            view.quantAxis = axis;
        }
        return view;
    }

    /**
     * Softmax along {@code axis} of a FLOAT32 array, in Java (max-shifted, accumulated in double);
     * other data types go to the alternative engine.
     *
     * @param axis the axis (negative counts from the end)
     * @return a new FLOAT32 array
     */
    @Override
    public NDArray softmax(int axis) {
        if (dataType != DataType.FLOAT32) {
            return super.softmax(axis);
        }
        int rank = shape.dimension();
        int ax = axis < 0 ? axis + rank : axis;
        if (ax < 0 || ax >= Math.max(1, rank)) {
            throw new IllegalArgumentException("Axis " + axis + " is out of range for " + shape);
        }
        float[] in = getFloatData();
        float[] out = new float[in.length];
        int len = rank == 0 ? 1 : (int) shape.get(ax);
        int inner = rank == 0 ? 1 : (int) shape.slice(ax + 1).size();
        int outer = len * inner == 0 ? 0 : in.length / (len * inner);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * len * inner + i;
                float max = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < len; k++) {
                    max = Math.max(max, in[base + k * inner]);
                }
                double sum = 0;
                for (int k = 0; k < len; k++) {
                    sum += StrictMath.exp(in[base + k * inner] - max);
                }
                for (int k = 0; k < len; k++) {
                    out[base + k * inner] =
                            (float) (StrictMath.exp(in[base + k * inner] - max) / sum);
                }
            }
        }
        JqNDArray result = new JqNDArray(manager, alternativeManager, shape, dataType, out);
        result.setName(name);
        return result;
    }

    /** Takes over the elements of {@code replaced} (converted if needed) and closes it. */
    @Override
    public void intern(NDArray replaced) {
        checkOpen();
        JqNDArray source =
                replaced instanceof JqNDArray
                        ? (JqNDArray) replaced
                        : JqNDManager.getSystemManager().from(replaced);
        storage = source.storage();
        shape = source.shape;
        dataType = source.dataType;
        if (source != replaced) {
            source.close();
        }
        replaced.close();
    }

    /** {@inheritDoc} */
    @Override
    public void detach() {
        manager.detachInternal(getUid());
        manager = JqNDManager.getSystemManager();
    }

    /** {@inheritDoc} */
    @Override
    public void close() {
        super.close();
        storage = null;
    }
}
