package io.djlquant.quantization.observer;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QScheme;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Observer with a fixed, user-given scale (MegEngine's {@code PassiveObserver}): it records nothing
 * and always returns symmetric parameters with that scale.
 */
public class PassiveObserver extends Observer {

    private float scale;

    /**
     * Creates a passive observer.
     *
     * @param scale the fixed scale, finite and positive
     * @param dtype the integer type; the zero point is its symmetric zero point
     */
    public PassiveObserver(float scale, QDType dtype) {
        super(dtype, QScheme.PER_TENSOR_SYMMETRIC);
        checkScale(scale);
        this.scale = scale;
    }

    private void checkScale(float s) {
        if (!Float.isFinite(s) || s <= 0f) {
            throw new IllegalArgumentException(name() + " scale must be finite and > 0: " + s);
        }
    }

    /**
     * @return the fixed scale
     */
    public float getScale() {
        return scale;
    }

    /**
     * Replaces the fixed scale.
     *
     * @param scale the new scale, finite and positive
     */
    public void setScale(float scale) {
        checkScale(scale);
        this.scale = scale;
        invalidate();
    }

    /** {@inheritDoc} */
    @Override
    protected void update(NDArray x) {
        // passive: the scale is given, data does not change it
    }

    /** {@inheritDoc} */
    @Override
    public boolean hasObserved() {
        return true;
    }

    /** {@inheritDoc} */
    @Override
    protected void resetState() {
        // nothing recorded, nothing to forget
    }

    /** {@inheritDoc} */
    @Override
    protected QParams calculateQParams() {
        return QParams.perTensor(getDType(), scale, getDType().symmetricZeroPoint());
    }

    /** {@inheritDoc} */
    @Override
    protected void saveState(DataOutputStream os) throws IOException {
        os.writeFloat(scale);
    }

    /** {@inheritDoc} */
    @Override
    protected void loadState(DataInputStream is) throws IOException, MalformedModelException {
        float s = is.readFloat();
        if (!Float.isFinite(s) || s <= 0f) {
            throw new MalformedModelException(name() + ": invalid stored scale " + s);
        }
        scale = s;
    }
}
