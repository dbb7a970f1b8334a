package io.djlquant.quantization;

import io.djlquant.quantization.fakequant.FakeQuantize;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.fakequant.LsqFakeQuantize;
import io.djlquant.quantization.fakequant.TqtFakeQuantize;
import io.djlquant.quantization.observer.HistogramObserver;
import io.djlquant.quantization.observer.MinMaxObserver;
import io.djlquant.quantization.observer.MovingAverageMinMaxObserver;
import io.djlquant.quantization.observer.Observer;
import io.djlquant.quantization.observer.PassiveObserver;
import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QScheme;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Preset {@link QConfig}s mirroring MegEngine's {@code quantization.qconfig} module.
 *
 * <p>Defaults (the usual CPU choice): weights QINT8_NARROW symmetric (zero point 0, so the integer
 * kernels need no weight zero-point correction); activations QUINT8 affine. Exceptions: TQT and
 * passive presets use QINT8 symmetric activations (power-of-two / given scales, as in MegEngine),
 * the low-bit preset uses QINT4 / QUINT4.
 */
public final class QConfigs {

    private QConfigs() {}

    private static Supplier<Observer> minMaxWeights() {
        return () -> new MinMaxObserver(QDType.QINT8_NARROW, QScheme.PER_TENSOR_SYMMETRIC);
    }

    private static Supplier<Observer> perChannelWeights() {
        return () ->
                new PerChannelMinMaxObserver(QDType.QINT8_NARROW, QScheme.PER_CHANNEL_SYMMETRIC);
    }

    private static Supplier<Observer> emaActs(QDType dtype, QScheme scheme) {
        return () -> new MovingAverageMinMaxObserver(dtype, scheme);
    }

    private static Function<Observer, FakeQuantizeBase> plain() {
        return FakeQuantize::new;
    }

    /**
     * @return min/max observers for weights and activations, plain fake quant
     */
    public static QConfig minMaxFakeQuant() {
        return new QConfig(
                minMaxWeights(),
                plain(),
                () -> new MinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE),
                plain());
    }

    /**
     * @return like {@link #minMaxFakeQuant()} with per-channel weights
     */
    public static QConfig minMaxFakeQuantPerChannel() {
        return new QConfig(
                perChannelWeights(),
                plain(),
                () -> new MinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE),
                plain());
    }

    /**
     * @return min/max weights, EMA (momentum 0.9) activations, plain fake quant (QAT default)
     */
    public static QConfig emaFakeQuant() {
        return new QConfig(
                minMaxWeights(),
                plain(),
                emaActs(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE),
                plain());
    }

    /**
     * @return like {@link #emaFakeQuant()} with per-channel weights
     */
    public static QConfig emaFakeQuantPerChannel() {
        return new QConfig(
                perChannelWeights(),
                plain(),
                emaActs(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE),
                plain());
    }

    /**
     * @return 4-bit: QINT4 symmetric weights (min/max), QUINT4 affine EMA activations
     */
    public static QConfig emaLowBit() {
        return new QConfig(
                () -> new MinMaxObserver(QDType.QINT4, QScheme.PER_TENSOR_SYMMETRIC),
                plain(),
                emaActs(QDType.QUINT4, QScheme.PER_TENSOR_AFFINE),
                plain());
    }

    /**
     * Weight-only 4-bit (W4A8): QINT4 per-channel symmetric weights (min/max), QUINT8 affine EMA
     * activations. The weights take half the bytes of int8 in a {@code .jq} file.
     *
     * @return the QConfig
     */
    public static QConfig int4Weights() {
        return new QConfig(
                () -> new PerChannelMinMaxObserver(QDType.QINT4, QScheme.PER_CHANNEL_SYMMETRIC),
                plain(),
                emaActs(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE),
                plain());
    }

    /**
     * @return TQT (power-of-two learnable scales) for weights and QINT8 symmetric activations
     */
    public static QConfig tqt() {
        return new QConfig(
                minMaxWeights(),
                TqtFakeQuantize::new,
                emaActs(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC),
                TqtFakeQuantize::new);
    }

    /**
     * @return LSQ (learnable scales) for weights and QUINT8 affine activations
     */
    public static QConfig lsq() {
        return new QConfig(
                minMaxWeights(),
                LsqFakeQuantize::new,
                emaActs(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE),
                LsqFakeQuantize::new);
    }

    /**
     * Fixed scales given by the user: QINT8_NARROW weights, QINT8 activations, both symmetric.
     *
     * @param weightScale the weight scale
     * @param actScale the activation scale
     * @return the config
     */
    public static QConfig passive(float weightScale, float actScale) {
        return new QConfig(
                () -> new PassiveObserver(weightScale, QDType.QINT8_NARROW),
                plain(),
                () -> new PassiveObserver(actScale, QDType.QINT8),
                plain());
    }

    /**
     * Like {@link #passive(float, float)} with one scale for weights and activations.
     *
     * @param scale the scale
     * @return the config
     */
    public static QConfig passive(float scale) {
        return passive(scale, scale);
    }

    /**
     * Post-training calibration: observers only (fake quant disabled), per-channel min/max weights
     * and histogram activations (QUINT8 affine).
     *
     * @return the config
     */
    public static QConfig calibration() {
        return new QConfig(
                perChannelWeights(),
                o -> new FakeQuantize(o).enableFakeQuant(false),
                () -> new HistogramObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE),
                o -> new FakeQuantize(o).enableFakeQuant(false));
    }
}
