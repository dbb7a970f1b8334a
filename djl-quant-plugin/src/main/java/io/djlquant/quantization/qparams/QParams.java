package io.djlquant.quantization.qparams;

import java.util.Arrays;

/**
 * Immutable quantization parameters: dtype, scales, zero points and the channel axis.
 *
 * <p>Quantize is {@code clamp(rint(x / scale) + zeroPoint, qmin, qmax)} with round-half-to-even;
 * dequantize is {@code (q - zeroPoint) * scale}. Per-tensor parameters have one scale and axis -1;
 * per-channel parameters have one scale per channel along axis 0.
 */
public final class QParams {

    private final QDType dtype;
    private final float[] scales;
    private final int[] zeroPoints;
    private final int axis;

    private QParams(QDType dtype, float[] scales, int[] zeroPoints, int axis) {
        if (dtype == null) {
            throw new IllegalArgumentException("QParams dtype must not be null");
        }
        if (scales == null || zeroPoints == null || scales.length == 0) {
            throw new IllegalArgumentException("QParams needs at least one scale and zero point");
        }
        if (scales.length != zeroPoints.length) {
            throw new IllegalArgumentException(
                    "QParams has "
                            + scales.length
                            + " scales but "
                            + zeroPoints.length
                            + " zero points");
        }
        if (axis != -1 && axis != 0) {
            throw new IllegalArgumentException(
                    "QParams axis must be -1 (per tensor) or 0 (per channel), got " + axis);
        }
        if (axis == -1 && scales.length != 1) {
            throw new IllegalArgumentException("per-tensor QParams must have exactly one scale");
        }
        for (int c = 0; c < scales.length; c++) {
            float s = scales[c];
            if (!Float.isFinite(s) || s <= 0f) {
                throw new IllegalArgumentException(
                        "QParams scale[" + c + "] must be finite and > 0, got " + s);
            }
            int zp = zeroPoints[c];
            if (zp < dtype.qmin() || zp > dtype.qmax()) {
                throw new IllegalArgumentException(
                        "QParams zeroPoint["
                                + c
                                + "] = "
                                + zp
                                + " is outside ["
                                + dtype.qmin()
                                + ", "
                                + dtype.qmax()
                                + "] of "
                                + dtype);
            }
        }
        this.dtype = dtype;
        this.scales = scales.clone();
        this.zeroPoints = zeroPoints.clone();
        this.axis = axis;
    }

    /**
     * Creates per-tensor parameters.
     *
     * @param dtype the integer type
     * @param scale the scale, finite and positive
     * @param zeroPoint the zero point inside the dtype range
     * @return the parameters
     */
    public static QParams perTensor(QDType dtype, float scale, int zeroPoint) {
        return new QParams(dtype, new float[] {scale}, new int[] {zeroPoint}, -1);
    }

    /**
     * Creates per-channel parameters along axis 0.
     *
     * @param dtype the integer type
     * @param scales one scale per channel
     * @param zeroPoints one zero point per channel
     * @return the parameters
     */
    public static QParams perChannel(QDType dtype, float[] scales, int[] zeroPoints) {
        return new QParams(dtype, scales, zeroPoints, 0);
    }

    /**
     * Creates int32 bias parameters: {@code scale[c] = inputScale * weightScales[c]} (computed in
     * double, stored as float), zero point 0. One weight scale gives per-tensor parameters.
     *
     * @param inputScale the scale of the layer input
     * @param weightScales the weight scale(s)
     * @return the bias parameters
     */
    public static QParams forBias(float inputScale, float[] weightScales) {
        float[] s = new float[weightScales.length];
        for (int c = 0; c < s.length; c++) {
            s[c] = (float) ((double) inputScale * weightScales[c]);
        }
        int[] zp = new int[s.length];
        return new QParams(QDType.QINT32, s, zp, s.length == 1 ? -1 : 0);
    }

    /**
     * @return the integer type
     */
    public QDType getDType() {
        return dtype;
    }

    /**
     * @return a copy of the scales
     */
    public float[] getScales() {
        return scales.clone();
    }

    /**
     * @return a copy of the zero points
     */
    public int[] getZeroPoints() {
        return zeroPoints.clone();
    }

    /**
     * @return -1 for per-tensor, 0 for per-channel
     */
    public int getAxis() {
        return axis;
    }

    /**
     * @return whether these are per-channel parameters
     */
    public boolean isPerChannel() {
        return axis >= 0;
    }

    /**
     * @return the number of scales (1 for per-tensor)
     */
    public int numChannels() {
        return scales.length;
    }

    /**
     * Returns the scale of a channel; per-tensor parameters ignore the channel.
     *
     * @param channel the channel index
     * @return the scale
     */
    public float scale(int channel) {
        return scales[index(channel)];
    }

    /**
     * Returns the zero point of a channel; per-tensor parameters ignore the channel.
     *
     * @param channel the channel index
     * @return the zero point
     */
    public int zeroPoint(int channel) {
        return zeroPoints[index(channel)];
    }

    /**
     * Quantizes one value: {@code clamp(rint(x / scale) + zeroPoint, qmin, qmax)}.
     *
     * @param x the float value, not NaN
     * @param channel the channel (ignored for per-tensor)
     * @return the integer
     */
    public int quantize(float x, int channel) {
        if (Float.isNaN(x)) {
            throw new IllegalArgumentException("cannot quantize NaN");
        }
        int i = index(channel);
        // the division is done in float so it matches NDArray.div on float32 tensors bit for bit
        double q = Math.rint(x / scales[i]) + zeroPoints[i];
        return (int) Math.max(dtype.qmin(), Math.min(dtype.qmax(), q));
    }

    /**
     * Dequantizes one integer: {@code (q - zeroPoint) * scale}.
     *
     * @param q the integer
     * @param channel the channel (ignored for per-tensor)
     * @return the float value
     */
    public float dequantize(int q, int channel) {
        int i = index(channel);
        return (float) ((long) q - zeroPoints[i]) * scales[i];
    }

    private int index(int channel) {
        if (axis < 0) {
            return 0;
        }
        if (channel < 0 || channel >= scales.length) {
            throw new IndexOutOfBoundsException(
                    "channel " + channel + " outside [0, " + scales.length + ")");
        }
        return channel;
    }

    /** {@inheritDoc} */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof QParams)) {
            return false;
        }
        QParams other = (QParams) o;
        return dtype == other.dtype
                && axis == other.axis
                && Arrays.equals(scales, other.scales)
                && Arrays.equals(zeroPoints, other.zeroPoints);
    }

    /** {@inheritDoc} */
    @Override
    public int hashCode() {
        return 31 * (31 * (31 * dtype.hashCode() + axis) + Arrays.hashCode(scales))
                + Arrays.hashCode(zeroPoints);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "QParams{"
                + dtype
                + (axis < 0 ? ", per-tensor" : ", axis=" + axis)
                + ", scales="
                + Arrays.toString(scales)
                + ", zeroPoints="
                + Arrays.toString(zeroPoints)
                + '}';
    }
}
