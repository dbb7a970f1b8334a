package io.djlquant.quantized;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.djlquant.engine.JqEngine;
import io.djlquant.engine.JqNDArray;
import io.djlquant.engine.JqNDManager;
import io.djlquant.kernels.ActivationQuant;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.quantization.qparams.QParams;

/** Moves activations between DJL arrays and {@link QActivation}s, following DESIGN.md. */
final class ActivationIO {

    private ActivationIO() {}

    /**
     * Reads an input: an int8 {@link JqNDArray} carrying the expected parameters is used as it is;
     * any array without quantization parameters is taken as real numbers and quantized with {@code
     * expected}.
     *
     * @param block the block name, for messages
     * @param x the input
     * @param expected the per-tensor parameters the block was converted with
     * @return the quantized activation
     * @throws IllegalArgumentException if {@code x} is quantized with other parameters
     */
    static QActivation read(String block, NDArray x, QParams expected) {
        if (x instanceof JqNDArray && ((JqNDArray) x).isQuantized()) {
            JqNDArray jq = (JqNDArray) x;
            checkMatches(block, jq, expected);
            return new QActivation(jq.getByteData(), x.getShape(), expected);
        }
        float[] values = floats(x);
        checkFinite(block, values, x.getShape());
        byte[] q = Int8Kernels.quantize(values, QActivation.kernelQuant(expected));
        return new QActivation(q, x.getShape(), expected);
    }

    /**
     * The real values of any input: a quantized per-tensor {@link JqNDArray} is dequantized with
     * the parameters it carries, anything else is converted to float32.
     *
     * @param block the block name, for messages
     * @param x the input
     * @return the values (must not be modified)
     */
    static float[] realValues(String block, NDArray x) {
        if (!(x instanceof JqNDArray) || !((JqNDArray) x).isQuantized()) {
            return floats(x);
        }
        JqNDArray jq = (JqNDArray) x;
        if (jq.getQuantAxis() != JqNDArray.PER_TENSOR
                || (x.getDataType() != DataType.INT8 && x.getDataType() != DataType.UINT8)) {
            throw new IllegalArgumentException(
                    block
                            + ": quantized input must be a per-tensor INT8 or UINT8 array, got "
                            + x.getDataType()
                            + " with axis "
                            + jq.getQuantAxis());
        }
        boolean signed = x.getDataType() == DataType.INT8;
        ActivationQuant q =
                new ActivationQuant(
                        jq.getQuantScales()[0],
                        jq.getQuantZeroPoints()[0],
                        signed ? -128 : 0,
                        signed ? 127 : 255);
        return Int8Kernels.dequantize(jq.getByteData(), q);
    }

    /**
     * Rejects NaN and infinite values before they are quantized: rounding would silently turn NaN
     * into the zero point and infinities into the end of the range, giving confident answers for
     * broken inputs.
     *
     * @param block the block name, for messages
     * @param values the real values about to be quantized
     * @param shape their shape, for messages
     * @throws IllegalArgumentException naming the first non-finite value and its index
     */
    static void checkFinite(String block, float[] values, Shape shape) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(
                        block
                                + ": input of shape "
                                + shape
                                + " has the non-finite value "
                                + values[i]
                                + " at index "
                                + i
                                + "; a quantized model needs finite inputs");
            }
        }
    }

    private static void checkMatches(String block, JqNDArray x, QParams expected) {
        DataType want = storageType(expected);
        boolean same =
                x.getDataType() == want
                        && x.getQuantAxis() == JqNDArray.PER_TENSOR
                        && Float.compare(x.getQuantScales()[0], expected.scale(0)) == 0
                        && x.getQuantZeroPoints()[0] == expected.zeroPoint(0);
        if (!same) {
            throw new IllegalArgumentException(
                    block
                            + ": input is a quantized "
                            + x.getDataType()
                            + " array with scales "
                            + java.util.Arrays.toString(x.getQuantScales())
                            + " and zero points "
                            + java.util.Arrays.toString(x.getQuantZeroPoints())
                            + " (axis "
                            + x.getQuantAxis()
                            + "), but this block was converted for "
                            + want
                            + " with "
                            + expected
                            + "; feed it float values or its producer's output");
        }
    }

    /**
     * The values of an array as float32, without copying a JavaQuant float32 array.
     *
     * @param x the array
     * @return the values (must not be modified)
     */
    static float[] floats(NDArray x) {
        if (x instanceof JqNDArray && x.getDataType() == DataType.FLOAT32) {
            return ((JqNDArray) x).getFloatData();
        }
        if (x.getDataType() == DataType.FLOAT32) {
            return x.toFloatArray();
        }
        try (NDArray f = x.toType(DataType.FLOAT32, true)) {
            return f.toFloatArray();
        }
    }

    /**
     * Writes an output like {@code like}: an int8 JavaQuant array with quantization set when {@code
     * like} is a {@link JqNDArray}, else the dequantized float32 values in {@code like}'s manager.
     *
     * @param y the activation
     * @param like the input the output follows
     * @return the output array
     */
    static NDArray write(QActivation y, NDArray like) {
        if (like instanceof JqNDArray) {
            JqNDArray out = jqManager(like).wrap(y.data(), y.shape(), storageType(y.qparams()));
            out.setQuantization(
                    new float[] {y.qparams().scale(0)},
                    new int[] {y.qparams().zeroPoint(0)},
                    JqNDArray.PER_TENSOR);
            return attach(out, like);
        }
        float[] f = Int8Kernels.dequantize(y.data(), y.kernelQuant());
        return like.getManager().create(f, y.shape());
    }

    /**
     * Writes float values in the engine of {@code like}.
     *
     * @param values the values (owned by the result)
     * @param shape the shape
     * @param like the input the output follows
     * @return the float32 array
     */
    static NDArray writeFloats(float[] values, Shape shape, NDArray like) {
        if (like instanceof JqNDArray) {
            return attach(jqManager(like).wrap(values, shape), like);
        }
        return like.getManager().create(values, shape);
    }

    /**
     * @return the DJL type holding integers of these parameters: UINT8 if unsigned, else INT8
     */
    static DataType storageType(QParams q) {
        return q.getDType().isSigned() ? DataType.INT8 : DataType.UINT8;
    }

    private static JqNDManager jqManager(NDArray like) {
        NDManager m = like.getManager();
        return m instanceof JqNDManager ? (JqNDManager) m : Root.MANAGER;
    }

    private static JqNDArray attach(JqNDArray out, NDArray like) {
        if (out.getManager() != like.getManager()) {
            // a JqNDArray may live in a foreign manager; move the result next to its input
            out.attach(like.getManager());
        }
        return out;
    }

    /** A JavaQuant manager for results whose input lives in a non-JavaQuant manager. */
    private static final class Root {
        static final JqNDManager MANAGER =
                (JqNDManager) Engine.getEngine(JqEngine.ENGINE_NAME).newBaseManager();
    }
}
