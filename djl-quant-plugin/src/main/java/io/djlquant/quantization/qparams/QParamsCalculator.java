package io.djlquant.quantization.qparams;

/**
 * Turns an observed float range into {@link QParams} (PyTorch/MegEngine conventions).
 *
 * <ul>
 *   <li>The range is first extended to include 0, so 0.0 is always representable.
 *   <li>Symmetric: {@code amax = max(|min|, |max|)}, zero point {@link QDType#symmetricZeroPoint()}
 *       (0 signed, 128 QUINT8, 8 QUINT4) and {@code scale = amax / (qmax - zeroPoint)}, so +amax
 *       maps exactly to qmax and nothing positive is clipped (for QINT8_NARROW this equals
 *       PyTorch's {@code amax / ((qmax - qmin) / 2)}; for QINT8 the extra level -128 is simply
 *       unused by symmetric data).
 *   <li>Affine: {@code scale = (max - min) / (qmax - qmin)}, {@code zeroPoint = qmin - rint(min /
 *       scale)} clamped to [qmin, qmax] (the nudge that makes 0.0 exact).
 *   <li>Scales are floored at {@link #EPS} (float32 machine epsilon, as PyTorch does), so an
 *       all-zero tensor still gets a valid scale and {@code 1/scale} and requantization multipliers
 *       stay finite.
 * </ul>
 */
public final class QParamsCalculator {

    /** Smallest scale produced: float32 machine epsilon, 2^-23. */
    public static final float EPS = Math.ulp(1.0f);

    private QParamsCalculator() {}

    /**
     * Computes per-tensor parameters from an observed range.
     *
     * @param min the observed minimum
     * @param max the observed maximum
     * @param dtype the integer type
     * @param symmetric whether to use the symmetric scheme
     * @return the parameters
     */
    public static QParams perTensor(float min, float max, QDType dtype, boolean symmetric) {
        checkRange(min, max, 0);
        double[] sz = compute(min, max, dtype, symmetric);
        return QParams.perTensor(dtype, (float) sz[0], (int) sz[1]);
    }

    /**
     * Computes parameters for the given scheme from per-channel (or length-1) ranges.
     *
     * @param min observed minima, one per channel (length 1 for per-tensor schemes)
     * @param max observed maxima
     * @param dtype the integer type
     * @param scheme the scheme
     * @return the parameters
     */
    public static QParams compute(float[] min, float[] max, QDType dtype, QScheme scheme) {
        if (min.length != max.length || min.length == 0) {
            throw new IllegalArgumentException(
                    "min/max lengths differ or are empty: " + min.length + " vs " + max.length);
        }
        if (!scheme.isPerChannel()) {
            if (min.length != 1) {
                throw new IllegalArgumentException(scheme + " needs one range, got " + min.length);
            }
            return perTensor(min[0], max[0], dtype, scheme.isSymmetric());
        }
        float[] scales = new float[min.length];
        int[] zps = new int[min.length];
        for (int c = 0; c < min.length; c++) {
            checkRange(min[c], max[c], c);
            double[] sz = compute(min[c], max[c], dtype, scheme.isSymmetric());
            scales[c] = (float) sz[0];
            zps[c] = (int) sz[1];
        }
        return QParams.perChannel(dtype, scales, zps);
    }

    private static double[] compute(float min, float max, QDType dtype, boolean symmetric) {
        double lo = Math.min(min, 0f);
        double hi = Math.max(max, 0f);
        double qmin = dtype.qmin();
        double qmax = dtype.qmax();
        if (symmetric) {
            int zp = dtype.symmetricZeroPoint();
            double amax = Math.max(-lo, hi);
            float scale = Math.max((float) (amax / (qmax - zp)), EPS);
            return new double[] {scale, zp};
        }
        float scale = Math.max((float) ((hi - lo) / (qmax - qmin)), EPS);
        double zp = qmin - Math.rint(lo / scale);
        zp = Math.max(qmin, Math.min(qmax, zp));
        return new double[] {scale, zp};
    }

    private static void checkRange(float min, float max, int channel) {
        if (!Float.isFinite(min) || !Float.isFinite(max)) {
            throw new IllegalArgumentException(
                    "range of channel " + channel + " is not finite: [" + min + ", " + max + "]");
        }
        if (min > max) {
            throw new IllegalArgumentException(
                    "range of channel " + channel + " has min > max: [" + min + ", " + max + "]");
        }
    }
}
