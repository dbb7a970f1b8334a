package io.djlquant.quantization.fakequant;

import ai.djl.ndarray.NDArray;
import io.djlquant.quantization.observer.Observer;
import io.djlquant.quantization.qparams.QParams;

/**
 * Learned Step size Quantization (Esser et al., 2020; MegEngine {@code LSQ}): the scale {@code s}
 * is a parameter, the output is {@code (clamp(round(x / s) + zp, qmin, qmax) - zp) * s} with STE
 * rounding, and the gradient reaching {@code s} is multiplied by {@code g = 1 / sqrt(N * Qp)},
 * where N is the number of elements sharing the scale and {@code Qp = qmax - zp} the number of
 * positive levels.
 *
 * <p>Per element, d out / d s (before g) is {@code round(v) - v} inside the range ({@code v = x /
 * s}) and {@code qmin - zp} or {@code qmax - zp} where clamped.
 */
public class LsqFakeQuantize extends LearnableFakeQuantize {

    /**
     * Creates an LSQ fake quantizer.
     *
     * @param observer the observer that initialises the scale; owned by this block
     */
    public LsqFakeQuantize(Observer observer) {
        super(observer, "scale", 1f);
    }

    /** {@inheritDoc} */
    @Override
    protected float[] toParameterValues(QParams qp) {
        return qp.getScales();
    }

    /** {@inheritDoc} */
    @Override
    protected float[] toScales(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] > 0f) || !Float.isFinite(values[i])) {
                throw new IllegalStateException(
                        "LsqFakeQuantize learned a non-positive scale " + values[i]);
            }
        }
        return values;
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray effectiveScale(NDArray value, NDArray x) {
        return FakeQuantOps.gradScale(value, gradScaleFactor(x, value.size()));
    }

    /**
     * The LSQ gradient factor {@code 1 / sqrt(N * Qp)} for an input.
     *
     * @param x the input
     * @param numScales how many scales share the input
     * @return the factor
     */
    public float gradScaleFactor(NDArray x, long numScales) {
        double n = (double) x.size() / numScales;
        int[] zps = zeroPoints();
        int zp = zps == null ? 0 : zps[0];
        double qp = Math.max(1, (double) getDType().qmax() - zp);
        return (float) (1.0 / Math.sqrt(n * qp));
    }
}
