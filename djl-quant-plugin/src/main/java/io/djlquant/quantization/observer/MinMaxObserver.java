package io.djlquant.quantization.observer;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QParamsCalculator;
import io.djlquant.quantization.qparams.QScheme;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Per-tensor observer keeping the running minimum and maximum of everything it has seen. */
public class MinMaxObserver extends Observer {

    /** Running minimum; meaningful only when {@link #observed} is true. */
    protected float min;

    /** Running maximum. */
    protected float max;

    /** Whether at least one tensor has been recorded. */
    protected boolean observed;

    /**
     * Creates a min/max observer.
     *
     * @param dtype the integer type
     * @param scheme a per-tensor scheme
     */
    public MinMaxObserver(QDType dtype, QScheme scheme) {
        super(dtype, scheme);
        if (scheme.isPerChannel()) {
            throw new IllegalArgumentException(
                    name() + " is per-tensor; use PerChannelMinMaxObserver for " + scheme);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void update(NDArray x) {
        float bmin;
        float bmax;
        try (NDArray mn = x.min();
                NDArray mx = x.max()) {
            bmin = mn.getFloat();
            bmax = mx.getFloat();
        }
        combine(bmin, bmax);
        observed = true;
    }

    /**
     * Merges one batch's range into the running statistics.
     *
     * @param bmin the batch minimum
     * @param bmax the batch maximum
     */
    protected void combine(float bmin, float bmax) {
        min = observed ? Math.min(min, bmin) : bmin;
        max = observed ? Math.max(max, bmax) : bmax;
    }

    /**
     * Replaces the recorded range, e.g. with a clipped one found by a range search; the next {@link
     * #computeQParams()} uses it. Saved with the model like an observed range.
     *
     * @param newMin the minimum
     * @param newMax the maximum, {@code >= newMin}
     * @throws IllegalArgumentException if the range is not finite or inverted
     */
    public void setRange(float newMin, float newMax) {
        if (!(Float.isFinite(newMin) && Float.isFinite(newMax) && newMin <= newMax)) {
            throw new IllegalArgumentException(
                    name() + ": invalid range " + newMin + ", " + newMax);
        }
        min = newMin;
        max = newMax;
        observed = true;
        invalidate();
    }

    /**
     * @return the running minimum
     */
    public float getMin() {
        return min;
    }

    /**
     * @return the running maximum
     */
    public float getMax() {
        return max;
    }

    /** {@inheritDoc} */
    @Override
    public boolean hasObserved() {
        return observed;
    }

    /** {@inheritDoc} */
    @Override
    protected void resetState() {
        observed = false;
        min = 0f;
        max = 0f;
    }

    /** {@inheritDoc} */
    @Override
    protected QParams calculateQParams() {
        return QParamsCalculator.perTensor(min, max, getDType(), getScheme().isSymmetric());
    }

    /** {@inheritDoc} */
    @Override
    protected void saveState(DataOutputStream os) throws IOException {
        os.writeBoolean(observed);
        os.writeFloat(min);
        os.writeFloat(max);
    }

    /** {@inheritDoc} */
    @Override
    protected void loadState(DataInputStream is) throws IOException, MalformedModelException {
        boolean o = is.readBoolean();
        float mn = is.readFloat();
        float mx = is.readFloat();
        if (o && !(Float.isFinite(mn) && Float.isFinite(mx) && mn <= mx)) {
            throw new MalformedModelException(name() + ": invalid stored range " + mn + ", " + mx);
        }
        observed = o;
        min = mn;
        max = mx;
    }
}
