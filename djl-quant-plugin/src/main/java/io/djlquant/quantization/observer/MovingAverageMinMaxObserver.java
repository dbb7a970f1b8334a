package io.djlquant.quantization.observer;

import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QScheme;

/**
 * Per-tensor observer with exponential moving averages of the batch min and max (MegEngine's {@code
 * ExponentialMovingAverageObserver}): the first batch sets the range, each later batch updates
 * {@code min = momentum * min + (1 - momentum) * batchMin} (same for max).
 */
public class MovingAverageMinMaxObserver extends MinMaxObserver {

    /** MegEngine's default momentum. */
    public static final float DEFAULT_MOMENTUM = 0.9f;

    private final float momentum;

    /**
     * Creates an EMA observer with momentum 0.9.
     *
     * @param dtype the integer type
     * @param scheme a per-tensor scheme
     */
    public MovingAverageMinMaxObserver(QDType dtype, QScheme scheme) {
        this(dtype, scheme, DEFAULT_MOMENTUM);
    }

    /**
     * Creates an EMA observer.
     *
     * @param dtype the integer type
     * @param scheme a per-tensor scheme
     * @param momentum weight of the old value, in [0, 1)
     */
    public MovingAverageMinMaxObserver(QDType dtype, QScheme scheme, float momentum) {
        super(dtype, scheme);
        if (!(momentum >= 0f && momentum < 1f)) {
            throw new IllegalArgumentException(name() + " momentum must be in [0, 1): " + momentum);
        }
        this.momentum = momentum;
    }

    /**
     * @return the momentum
     */
    public float getMomentum() {
        return momentum;
    }

    /** {@inheritDoc} */
    @Override
    protected void combine(float bmin, float bmax) {
        if (!observed) {
            min = bmin;
            max = bmax;
            return;
        }
        min = momentum * min + (1f - momentum) * bmin;
        max = momentum * max + (1f - momentum) * bmax;
    }
}
