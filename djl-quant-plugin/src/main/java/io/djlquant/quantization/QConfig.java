package io.djlquant.quantization;

import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.observer.Observer;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QScheme;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Immutable recipe telling the QAT converter how to quantize weights and activations: factories for
 * observers and for the fake-quant blocks wrapping them. Each call of a {@code new...} method
 * returns fresh instances, so every block gets its own statistics.
 *
 * <p>The dtypes and schemes are read from one sample observer of each factory at construction, so
 * they always agree with what the factories build. See {@link QConfigs} for presets.
 */
public final class QConfig {

    private final Supplier<? extends Observer> weightObserver;
    private final Function<Observer, ? extends FakeQuantizeBase> weightFakeQuant;
    private final Supplier<? extends Observer> actObserver;
    private final Function<Observer, ? extends FakeQuantizeBase> actFakeQuant;
    private final QDType weightDType;
    private final QScheme weightScheme;
    private final QDType actDType;
    private final QScheme actScheme;

    /**
     * Creates a config.
     *
     * @param weightObserver creates weight observers
     * @param weightFakeQuant wraps a weight observer into a fake-quant block
     * @param actObserver creates activation observers (per-tensor schemes only)
     * @param actFakeQuant wraps an activation observer into a fake-quant block
     */
    public QConfig(
            Supplier<? extends Observer> weightObserver,
            Function<Observer, ? extends FakeQuantizeBase> weightFakeQuant,
            Supplier<? extends Observer> actObserver,
            Function<Observer, ? extends FakeQuantizeBase> actFakeQuant) {
        if (weightObserver == null
                || weightFakeQuant == null
                || actObserver == null
                || actFakeQuant == null) {
            throw new IllegalArgumentException("QConfig factories must not be null");
        }
        this.weightObserver = weightObserver;
        this.weightFakeQuant = weightFakeQuant;
        this.actObserver = actObserver;
        this.actFakeQuant = actFakeQuant;
        Observer w = weightObserver.get();
        Observer a = actObserver.get();
        if (a.getScheme().isPerChannel()) {
            throw new IllegalArgumentException(
                    "activations must be quantized per tensor, got " + a.getScheme());
        }
        if (w.getDType() == QDType.QINT32 || a.getDType() == QDType.QINT32) {
            throw new IllegalArgumentException("QINT32 is only for biases");
        }
        weightDType = w.getDType();
        weightScheme = w.getScheme();
        actDType = a.getDType();
        actScheme = a.getScheme();
    }

    /**
     * @return a fresh weight observer
     */
    public Observer newWeightObserver() {
        return weightObserver.get();
    }

    /**
     * @return a fresh activation observer
     */
    public Observer newActObserver() {
        return actObserver.get();
    }

    /**
     * @return a fresh weight fake-quant block with its own fresh observer
     */
    public FakeQuantizeBase newWeightFakeQuant() {
        return weightFakeQuant.apply(weightObserver.get());
    }

    /**
     * @return a fresh activation fake-quant block with its own fresh observer
     */
    public FakeQuantizeBase newActFakeQuant() {
        return actFakeQuant.apply(actObserver.get());
    }

    /**
     * @return the weight dtype
     */
    public QDType getWeightDType() {
        return weightDType;
    }

    /**
     * @return the weight scheme
     */
    public QScheme getWeightScheme() {
        return weightScheme;
    }

    /**
     * @return the activation dtype
     */
    public QDType getActDType() {
        return actDType;
    }

    /**
     * @return the activation scheme
     */
    public QScheme getActScheme() {
        return actScheme;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "QConfig{weight="
                + weightDType
                + "/"
                + weightScheme
                + ", act="
                + actDType
                + "/"
                + actScheme
                + '}';
    }
}
