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

/** Weight observer keeping a running min and max per output channel (axis 0). */
public class PerChannelMinMaxObserver extends Observer {

    private float[] min;
    private float[] max;

    /**
     * Creates a per-channel observer.
     *
     * @param dtype the integer type
     * @param scheme a per-channel scheme
     */
    public PerChannelMinMaxObserver(QDType dtype, QScheme scheme) {
        super(dtype, scheme);
        if (!scheme.isPerChannel()) {
            throw new IllegalArgumentException(
                    name() + " needs a per-channel scheme, got " + scheme);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void update(NDArray x) {
        if (x.getShape().dimension() < 1 || x.getShape().get(0) < 1) {
            throw new IllegalArgumentException(
                    name() + " needs at least one channel along axis 0, got shape " + x.getShape());
        }
        int c = (int) x.getShape().get(0);
        if (min != null && min.length != c) {
            throw new IllegalArgumentException(
                    name() + " saw " + min.length + " channels before, now " + c);
        }
        float[] bmin;
        float[] bmax;
        try (NDArray flat = x.reshape(c, -1);
                NDArray mn = flat.min(new int[] {1});
                NDArray mx = flat.max(new int[] {1})) {
            bmin = mn.toFloatArray();
            bmax = mx.toFloatArray();
        }
        if (min == null) {
            min = bmin;
            max = bmax;
            return;
        }
        for (int i = 0; i < c; i++) {
            min[i] = Math.min(min[i], bmin[i]);
            max[i] = Math.max(max[i], bmax[i]);
        }
    }

    /**
     * Replaces the recorded per-channel ranges, e.g. with clipped ones found by a range search; the
     * next {@link #computeQParams()} uses them. Saved with the model like observed ranges.
     *
     * @param newMin the minima
     * @param newMax the maxima, same length, each {@code >=} its minimum
     * @throws IllegalArgumentException if the arrays differ in length or hold an invalid range
     */
    public void setRange(float[] newMin, float[] newMax) {
        if (newMin == null
                || newMax == null
                || newMin.length != newMax.length
                || newMin.length == 0) {
            throw new IllegalArgumentException(
                    name() + ": minima and maxima must be non-empty and of one length");
        }
        for (int i = 0; i < newMin.length; i++) {
            if (!(Float.isFinite(newMin[i])
                    && Float.isFinite(newMax[i])
                    && newMin[i] <= newMax[i])) {
                throw new IllegalArgumentException(
                        name()
                                + ": invalid range at channel "
                                + i
                                + ": "
                                + newMin[i]
                                + ", "
                                + newMax[i]);
            }
        }
        min = newMin.clone();
        max = newMax.clone();
        invalidate();
    }

    /**
     * @return a copy of the per-channel minima, or null before observation
     */
    public float[] getMin() {
        return min == null ? null : min.clone();
    }

    /**
     * @return a copy of the per-channel maxima, or null before observation
     */
    public float[] getMax() {
        return max == null ? null : max.clone();
    }

    /** {@inheritDoc} */
    @Override
    public boolean hasObserved() {
        return min != null;
    }

    /** {@inheritDoc} */
    @Override
    protected void resetState() {
        min = null;
        max = null;
    }

    /** {@inheritDoc} */
    @Override
    protected QParams calculateQParams() {
        return QParamsCalculator.compute(min, max, getDType(), getScheme());
    }

    /** {@inheritDoc} */
    @Override
    protected void saveState(DataOutputStream os) throws IOException {
        os.writeBoolean(min != null);
        if (min != null) {
            writeFloats(os, min);
            writeFloats(os, max);
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void loadState(DataInputStream is) throws IOException, MalformedModelException {
        if (!is.readBoolean()) {
            reset();
            return;
        }
        float[] mn = readFloats(is, -1);
        float[] mx = readFloats(is, mn.length);
        for (int i = 0; i < mn.length; i++) {
            if (!(Float.isFinite(mn[i]) && Float.isFinite(mx[i]) && mn[i] <= mx[i])) {
                throw new MalformedModelException(name() + ": invalid stored range at " + i);
            }
        }
        min = mn;
        max = mx;
    }
}
