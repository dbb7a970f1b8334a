package io.djlquant.quantization.fakequant;

import ai.djl.ndarray.NDArray;
import io.djlquant.quantization.observer.Observer;
import io.djlquant.quantization.qparams.QParams;

/**
 * Trained Quantization Thresholds (Jain et al., 2020; MegEngine {@code TQT}): the parameter is
 * {@code log2_t}, the scale is the power of two {@code s = 2^ceil(log2_t)}, and the output is
 * {@code (clamp(round(x / s) + zp, qmin, qmax) - zp) * s}. Ceil and round pass gradients straight
 * through, so d out / d log2_t = {@code s * ln2 * (round(v) - v)} inside the range ({@code v = x /
 * s}) and {@code s * ln2 * (qmin - zp or qmax - zp)} where clamped — the TQT gradient.
 */
public class TqtFakeQuantize extends LearnableFakeQuantize {

    /**
     * Creates a TQT fake quantizer.
     *
     * @param observer the observer whose scale initialises {@code log2_t}; owned by this block
     */
    public TqtFakeQuantize(Observer observer) {
        super(observer, "log2_t", 0f);
    }

    /** {@inheritDoc} */
    @Override
    protected float[] toParameterValues(QParams qp) {
        float[] s = qp.getScales();
        float[] v = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            v[i] = (float) (Math.log(s[i]) / Math.log(2));
        }
        return v;
    }

    /** {@inheritDoc} */
    @Override
    protected float[] toScales(float[] values) {
        float[] s = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            s[i] = (float) Math.pow(2, Math.ceil(values[i]));
        }
        return s;
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray effectiveScale(NDArray value, NDArray x) {
        // the forward value must be an exact power of two (the integer pipeline relies on it),
        // which exp(c * ln2) does not guarantee; so use the exact value computed in Java and let
        // only the gradient come from exp(ste_ceil(log2_t) * ln2), whose d/dlog2_t is s * ln2
        NDArray exact =
                FakeQuantOps.constant(
                        x.getManager(), toScales(value.toFloatArray()), value.getShape());
        NDArray smooth =
                FakeQuantOps.steCeil(value)
                        .mul(FakeQuantOps.scalar(x.getManager(), (float) Math.log(2)))
                        .exp();
        return exact.add(smooth.sub(smooth.stopGradient()));
    }
}
