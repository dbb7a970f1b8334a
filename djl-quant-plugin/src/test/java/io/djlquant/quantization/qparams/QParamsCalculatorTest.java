package io.djlquant.quantization.qparams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class QParamsCalculatorTest {

    @Test
    void symmetricSignedUsesAmaxOverQmax() {
        QParams q8 = QParamsCalculator.perTensor(-2f, 1f, QDType.QINT8, true);
        assertEquals(2f / 127f, q8.scale(0), 1e-9);
        assertEquals(0, q8.zeroPoint(0));
        QParams narrow = QParamsCalculator.perTensor(-2f, 1f, QDType.QINT8_NARROW, true);
        assertEquals(2f / 127f, narrow.scale(0), 1e-9);
        QParams q4 = QParamsCalculator.perTensor(0.5f, 3.5f, QDType.QINT4, true);
        assertEquals(0.5f, q4.scale(0), 1e-9); // 3.5 / 7
        assertEquals(7, q4.quantize(3.5f, 0)); // +amax maps exactly to qmax
    }

    @Test
    void symmetricUnsignedCentersZeroPoint() {
        QParams u8 = QParamsCalculator.perTensor(-2f, 1f, QDType.QUINT8, true);
        assertEquals(128, u8.zeroPoint(0));
        assertEquals(2f / 127f, u8.scale(0), 1e-9);
        QParams u4 = QParamsCalculator.perTensor(-2f, 1f, QDType.QUINT4, true);
        assertEquals(8, u4.zeroPoint(0));
        assertEquals(2f / 7f, u4.scale(0), 1e-7);
    }

    @Test
    void affineNudgesZeroPointSoZeroIsExact() {
        QParams qp = QParamsCalculator.perTensor(-0.3f, 1f, QDType.QUINT8, false);
        // (1 + 0.3) / 255 = 0.0050980..., 0.3 / 0.0050980 = 58.85 -> zero point 59
        assertEquals(1.3 / 255, qp.scale(0), 1e-7);
        assertEquals(59, qp.zeroPoint(0));
        assertEquals(59, qp.quantize(0f, 0));
        assertEquals(0f, qp.dequantize(qp.quantize(0f, 0), 0));
        QParams s8 = QParamsCalculator.perTensor(-1f, 3f, QDType.QINT8, false);
        // scale 4/255, -1/scale = -63.75 -> rint -64 -> zp = -128 + 64
        assertEquals(-64, s8.zeroPoint(0));
        assertEquals(4f / 255f, s8.scale(0), 1e-9);
    }

    @Test
    void rangeIsExtendedToIncludeZero() {
        QParams pos = QParamsCalculator.perTensor(0.5f, 2f, QDType.QUINT8, false);
        assertEquals(2f / 255f, pos.scale(0), 1e-9);
        assertEquals(0, pos.zeroPoint(0));
        QParams neg = QParamsCalculator.perTensor(-2f, -1f, QDType.QUINT8, false);
        assertEquals(2f / 255f, neg.scale(0), 1e-9);
        assertEquals(255, neg.zeroPoint(0));
    }

    @Test
    void degenerateRangeFloorsScaleAtEps() {
        QParams a = QParamsCalculator.perTensor(0f, 0f, QDType.QUINT8, false);
        assertEquals(QParamsCalculator.EPS, a.scale(0));
        assertEquals(0, a.zeroPoint(0));
        QParams s = QParamsCalculator.perTensor(0f, 0f, QDType.QINT8, true);
        assertEquals(QParamsCalculator.EPS, s.scale(0));
        assertEquals(0, s.zeroPoint(0));
    }

    @Test
    void perChannelAndValidation() {
        QParams pc =
                QParamsCalculator.compute(
                        new float[] {-1f, 0f},
                        new float[] {0.5f, 2.54f},
                        QDType.QINT8_NARROW,
                        QScheme.PER_CHANNEL_SYMMETRIC);
        assertEquals(1f / 127f, pc.scale(0), 1e-9);
        assertEquals(0.02f, pc.scale(1), 1e-8);
        assertThrows(
                IllegalArgumentException.class,
                () -> QParamsCalculator.perTensor(Float.NaN, 1f, QDType.QINT8, true));
        assertThrows(
                IllegalArgumentException.class,
                () -> QParamsCalculator.perTensor(2f, 1f, QDType.QINT8, true));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        QParamsCalculator.compute(
                                new float[] {0f, 0f},
                                new float[] {1f, 1f},
                                QDType.QINT8,
                                QScheme.PER_TENSOR_AFFINE));
    }
}
