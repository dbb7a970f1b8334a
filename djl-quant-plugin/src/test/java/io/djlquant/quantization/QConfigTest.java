package io.djlquant.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.djlquant.quantization.fakequant.FakeQuantize;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.fakequant.LsqFakeQuantize;
import io.djlquant.quantization.fakequant.TqtFakeQuantize;
import io.djlquant.quantization.observer.HistogramObserver;
import io.djlquant.quantization.observer.MovingAverageMinMaxObserver;
import io.djlquant.quantization.observer.PassiveObserver;
import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QScheme;
import org.junit.jupiter.api.Test;

class QConfigTest {

    @Test
    void factoriesReturnFreshInstances() {
        QConfig c = QConfigs.emaFakeQuant();
        FakeQuantizeBase a = c.newActFakeQuant();
        FakeQuantizeBase b = c.newActFakeQuant();
        assertNotSame(a, b);
        assertNotSame(a.getObserver(), b.getObserver());
        assertInstanceOf(MovingAverageMinMaxObserver.class, a.getObserver());
        assertInstanceOf(FakeQuantize.class, a);
        assertTrue(a.isFakeQuantEnabled());
    }

    @Test
    void presetDtypesAndSchemes() {
        QConfig ema = QConfigs.emaFakeQuant();
        assertEquals(QDType.QINT8_NARROW, ema.getWeightDType());
        assertEquals(QScheme.PER_TENSOR_SYMMETRIC, ema.getWeightScheme());
        assertEquals(QDType.QUINT8, ema.getActDType());
        assertEquals(QScheme.PER_TENSOR_AFFINE, ema.getActScheme());
        assertEquals(
                QScheme.PER_CHANNEL_SYMMETRIC, QConfigs.emaFakeQuantPerChannel().getWeightScheme());
        assertEquals(
                QScheme.PER_CHANNEL_SYMMETRIC,
                QConfigs.minMaxFakeQuantPerChannel().getWeightScheme());
        QConfig low = QConfigs.emaLowBit();
        assertEquals(QDType.QINT4, low.getWeightDType());
        assertEquals(QDType.QUINT4, low.getActDType());
        assertInstanceOf(TqtFakeQuantize.class, QConfigs.tqt().newWeightFakeQuant());
        assertEquals(QDType.QINT8, QConfigs.tqt().getActDType());
        assertInstanceOf(LsqFakeQuantize.class, QConfigs.lsq().newActFakeQuant());
        assertEquals(QDType.QUINT8, QConfigs.minMaxFakeQuant().getActDType());
    }

    @Test
    void calibrationObservesOnly() {
        QConfig cal = QConfigs.calibration();
        FakeQuantizeBase act = cal.newActFakeQuant();
        FakeQuantizeBase w = cal.newWeightFakeQuant();
        assertFalse(act.isFakeQuantEnabled());
        assertTrue(act.isObserverEnabled());
        assertFalse(w.isFakeQuantEnabled());
        assertInstanceOf(HistogramObserver.class, act.getObserver());
        assertInstanceOf(PerChannelMinMaxObserver.class, w.getObserver());
    }

    @Test
    void passiveUsesGivenScales() {
        QConfig p = QConfigs.passive(0.01f, 0.25f);
        PassiveObserver w = (PassiveObserver) p.newWeightObserver();
        PassiveObserver a = (PassiveObserver) p.newActObserver();
        assertEquals(0.01f, w.getScale());
        assertEquals(QParams.perTensor(QDType.QINT8, 0.25f, 0), a.computeQParams());
        assertEquals(0.5f, ((PassiveObserver) QConfigs.passive(0.5f).newActObserver()).getScale());
    }

    @Test
    void rejectsPerChannelActivationsAndNulls() {
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new QConfig(
                                () ->
                                        new PerChannelMinMaxObserver(
                                                QDType.QINT8, QScheme.PER_CHANNEL_SYMMETRIC),
                                FakeQuantize::new,
                                () ->
                                        new PerChannelMinMaxObserver(
                                                QDType.QINT8, QScheme.PER_CHANNEL_SYMMETRIC),
                                FakeQuantize::new));
        assertThrows(IllegalArgumentException.class, () -> new QConfig(null, null, null, null));
    }
}
