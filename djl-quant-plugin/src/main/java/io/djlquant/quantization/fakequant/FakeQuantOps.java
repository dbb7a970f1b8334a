package io.djlquant.quantization.fakequant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;

/**
 * Differentiable quantize-dequantize building blocks with straight-through estimators (STE).
 *
 * <p>The forward value is exactly {@code (clamp(rint(x / s) + zp, qmin, qmax) - zp) * s}. Rounding
 * passes gradients straight through; the clamp is applied after rounding, so (as in PyTorch and
 * MegEngine) the gradient w.r.t. {@code x} is 1 where the rounded value lies in [qmin, qmax] and 0
 * elsewhere.
 *
 * <p>Why no {@code x.mul(float)}, {@code x.div(float)} or {@code x.clip(lo, hi)} on a path that
 * autograd differentiates: DJL's PyTorch engine turns the number into a tensor that wraps a Java
 * direct buffer ({@code from_blob}) and closes it right after the operation. Autograd keeps that
 * tensor for the backward pass of {@code mul}, {@code div} and {@code clamp}, so when the garbage
 * collector frees the buffer in between, backward reads freed memory: intermittent NaN or garbage
 * gradients in QAT. Every scalar here is therefore a tensor whose storage PyTorch owns ({@link
 * #scalar}), and the clamp's backward needs only a mask that PyTorch computed ({@link #clampSte}).
 */
public final class FakeQuantOps {

    private FakeQuantOps() {}

    /**
     * Rounds half-to-even in the forward pass, identity in the backward pass.
     *
     * @param v the input
     * @return {@code round(v)} with gradient 1
     */
    public static NDArray steRound(NDArray v) {
        return v.add(v.round().sub(v).stopGradient());
    }

    /**
     * Ceil in the forward pass, identity in the backward pass.
     *
     * @param v the input
     * @return {@code ceil(v)} with gradient 1
     */
    public static NDArray steCeil(NDArray v) {
        return v.add(v.ceil().sub(v).stopGradient());
    }

    /**
     * Returns {@code v} in the forward pass while scaling its gradient by {@code g} (LSQ).
     *
     * @param v the input
     * @param g the gradient factor
     * @return an array equal to {@code v} whose gradient is multiplied by {@code g}
     */
    public static NDArray gradScale(NDArray v, float g) {
        NDArray scaled = v.mul(scalar(v.getManager(), g));
        return scaled.add(v.sub(scaled).stopGradient());
    }

    /**
     * Fake-quantizes {@code x} with fixed parameters; per-channel parameters apply along axis 0.
     *
     * @param x the input
     * @param qp the parameters
     * @return the quantize-dequantized array, differentiable w.r.t. {@code x} by STE
     */
    public static NDArray fakeQuantize(NDArray x, QParams qp) {
        if (!qp.isPerChannel()) {
            NDArray s = scalar(x.getManager(), qp.scale(0));
            int zp = qp.zeroPoint(0);
            NDArray q =
                    clampSte(
                            steRound(x.div(s)).add(zp), qp.getDType().qmin(), qp.getDType().qmax());
            return q.sub(zp).mul(s);
        }
        NDManager m = x.getManager();
        Shape bshape = channelShape(x, qp.numChannels());
        float[] zpf = new float[qp.numChannels()];
        int[] zps = qp.getZeroPoints();
        for (int i = 0; i < zpf.length; i++) {
            zpf[i] = zps[i];
        }
        NDArray s = constant(m, qp.getScales(), bshape);
        NDArray zp = constant(m, zpf, bshape);
        return fakeQuantize(x, s, zp, qp.getDType());
    }

    /**
     * Fake-quantizes with scale and zero point given as arrays broadcastable against {@code x}; the
     * scale may require gradients (the learnable variants use this).
     *
     * @param x the input
     * @param scale the scale(s)
     * @param zeroPoint the zero point(s), as float
     * @param dtype the integer type
     * @return the quantize-dequantized array
     */
    public static NDArray fakeQuantize(NDArray x, NDArray scale, NDArray zeroPoint, QDType dtype) {
        NDArray q = clampSte(steRound(x.div(scale)).add(zeroPoint), dtype.qmin(), dtype.qmax());
        return q.sub(zeroPoint).mul(scale);
    }

    /**
     * Fake-quantizes a bias to int32 with {@code scale[c] = inputScale * weightScales[c]}, zero
     * point 0 (see {@link QParams#forBias}).
     *
     * @param bias the bias, shape (C)
     * @param inputScale the scale of the layer input
     * @param weightScales one weight scale, or one per output channel
     * @return the fake-quantized bias
     */
    public static NDArray fakeQuantizeBias(NDArray bias, float inputScale, float[] weightScales) {
        if (weightScales.length != 1 && bias.getShape().get(0) != weightScales.length) {
            throw new IllegalArgumentException(
                    "bias has "
                            + bias.getShape().get(0)
                            + " channels but "
                            + weightScales.length
                            + " weight scales were given");
        }
        return fakeQuantize(bias, QParams.forBias(inputScale, weightScales));
    }

    /**
     * The shape {@code (C, 1, ..., 1)} with the rank of {@code x}, for broadcasting along axis 0.
     *
     * @param x the array
     * @param channels the expected size of axis 0
     * @return the broadcast shape
     */
    static Shape channelShape(NDArray x, int channels) {
        Shape shape = x.getShape();
        if (shape.dimension() < 1 || shape.get(0) != channels) {
            throw new IllegalArgumentException(
                    "per-channel parameters for "
                            + channels
                            + " channels do not fit axis 0 of shape "
                            + shape);
        }
        long[] dims = new long[shape.dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = channels;
        return new Shape(dims);
    }

    /**
     * A constant array that owns its memory. On the PyTorch engine {@code NDManager.create} wraps
     * the Java direct buffer without copying, and that buffer is freed once the Java NDArray is
     * closed or collected, while autograd may still read the tensor in backward: the gradients then
     * come from freed memory (seen as NaN weights in QAT). A clone owns a copy.
     *
     * @param manager the manager of the result
     * @param values the values
     * @param shape the shape of the result
     * @return a new array with its own storage
     */
    public static NDArray constant(NDManager manager, float[] values, Shape shape) {
        try (NDArray wrapped = manager.create(values);
                NDArray view = wrapped.reshape(shape)) {
            return view.duplicate();
        }
    }

    /**
     * Clamps to {@code [lo, hi]} with PyTorch's clamp gradient: 1 inside the closed range, 0
     * outside.
     *
     * <p>Built from a detached clamp and {@code where} on a comparison mask, because DJL's own
     * {@code clip} hands autograd bounds that may be freed before backward (see the class comment).
     *
     * @param v the input
     * @param lo the lower bound
     * @param hi the upper bound
     * @return the clamped array
     */
    public static NDArray clampSte(NDArray v, float lo, float hi) {
        NDArray held = v.stopGradient();
        NDArray clamped = held.clip(lo, hi);
        NDArray inRange = held.gte(lo).logicalAnd(held.lte(hi));
        return NDArrays.where(inRange, v, clamped);
    }

    /**
     * A float32 scalar whose storage PyTorch owns, safe to keep in the autograd graph after the
     * Java handle is closed (see the class comment).
     *
     * @param manager the manager of the result
     * @param value the value
     * @return a new 0-dimensional array
     */
    public static NDArray scalar(NDManager manager, float value) {
        return constant(manager, new float[] {value}, new Shape());
    }
}
