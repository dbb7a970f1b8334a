package io.djlquant.quantization.qparams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QParamsTest {

    @Test
    void dtypeRanges() {
        assertEquals(-128, QDType.QINT8.qmin());
        assertEquals(127, QDType.QINT8.qmax());
        assertEquals(-127, QDType.QINT8_NARROW.qmin());
        assertEquals(0, QDType.QUINT8.qmin());
        assertEquals(255, QDType.QUINT8.qmax());
        assertEquals(-8, QDType.QINT4.qmin());
        assertEquals(7, QDType.QINT4.qmax());
        assertEquals(15, QDType.QUINT4.qmax());
        assertEquals(4, QDType.QUINT4.bits());
        assertEquals(Integer.MIN_VALUE, QDType.QINT32.qmin());
        assertTrue(QDType.QINT4.isSigned());
        assertFalse(QDType.QUINT8.isSigned());
        assertEquals(128, QDType.QUINT8.symmetricZeroPoint());
        assertEquals(8, QDType.QUINT4.symmetricZeroPoint());
        assertEquals(0, QDType.QINT8.symmetricZeroPoint());
    }

    @Test
    void quantizeRoundsHalfToEven() {
        QParams qp = QParams.perTensor(QDType.QINT8, 1f, 0);
        assertEquals(0, qp.quantize(0.5f, 0));
        assertEquals(2, qp.quantize(1.5f, 0));
        assertEquals(2, qp.quantize(2.5f, 0));
        assertEquals(0, qp.quantize(-0.5f, 0));
        assertEquals(-2, qp.quantize(-1.5f, 0));
        assertEquals(-2, qp.quantize(-2.5f, 0));
        // with a zero point the rounding happens before adding it
        QParams zp = QParams.perTensor(QDType.QUINT8, 0.5f, 3);
        assertEquals(3 + 2, zp.quantize(1.25f, 0)); // 2.5 -> 2
        assertEquals(3 + 4, zp.quantize(1.75f, 0)); // 3.5 -> 4
    }

    @Test
    void quantizeClampsPerDtype() {
        assertEquals(127, QParams.perTensor(QDType.QINT8, 1f, 0).quantize(200f, 0));
        assertEquals(-128, QParams.perTensor(QDType.QINT8, 1f, 0).quantize(-200f, 0));
        assertEquals(-127, QParams.perTensor(QDType.QINT8_NARROW, 1f, 0).quantize(-200f, 0));
        assertEquals(0, QParams.perTensor(QDType.QUINT8, 0.5f, 10).quantize(-6f, 0)); // -12+10
        assertEquals(7, QParams.perTensor(QDType.QINT4, 1f, 0).quantize(7.6f, 0));
        assertEquals(-8, QParams.perTensor(QDType.QINT4, 1f, 0).quantize(-9f, 0));
        assertEquals(15, QParams.perTensor(QDType.QUINT4, 1f, 8).quantize(7.5f, 0)); // 8+8
        assertEquals(
                Integer.MAX_VALUE, QParams.perTensor(QDType.QINT32, 1e-9f, 0).quantize(10f, 0));
    }

    @Test
    void dequantizeAndPerChannel() {
        QParams qp = QParams.perChannel(QDType.QINT8, new float[] {0.5f, 0.25f}, new int[] {0, 2});
        assertEquals(3, qp.quantize(1.5f, 0));
        assertEquals(2 + 6, qp.quantize(1.5f, 1));
        assertEquals(1.5f, qp.dequantize(3, 0));
        assertEquals(1.5f, qp.dequantize(8, 1));
        assertEquals(-0.5f, qp.dequantize(0, 1));
        assertEquals(0, qp.getAxis());
        assertThrows(IndexOutOfBoundsException.class, () -> qp.quantize(1f, 2));
        assertEquals(-1, QParams.perTensor(QDType.QINT8, 1f, 0).getAxis());
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> QParams.perTensor(QDType.QINT8, 0f, 0));
        assertThrows(IllegalArgumentException.class, () -> QParams.perTensor(QDType.QINT8, -1f, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> QParams.perTensor(QDType.QINT8, Float.NaN, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> QParams.perTensor(QDType.QINT8, Float.POSITIVE_INFINITY, 0));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> QParams.perTensor(QDType.QUINT8, 1f, 256));
        assertTrue(e.getMessage().contains("zeroPoint"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> QParams.perChannel(QDType.QINT8, new float[] {1f, 2f}, new int[] {0}));
        assertThrows(
                IllegalArgumentException.class,
                () -> QParams.perTensor(QDType.QINT8, 1f, 0).quantize(Float.NaN, 0));
    }

    @Test
    void equalsHashCodeToString() {
        QParams a = QParams.perChannel(QDType.QINT8, new float[] {0.5f, 0.25f}, new int[] {0, 0});
        QParams b = QParams.perChannel(QDType.QINT8, new float[] {0.5f, 0.25f}, new int[] {0, 0});
        QParams c = QParams.perChannel(QDType.QINT8_NARROW, new float[] {0.5f, 0.25f}, new int[2]);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
        assertNotEquals(a, QParams.perTensor(QDType.QINT8, 0.5f, 0));
        assertTrue(a.toString().contains("0.25"));
        // defensive copies: mutating a returned array does not change the params
        a.getScales()[0] = 9f;
        assertEquals(0.5f, a.scale(0));
    }

    @Test
    void biasParams() {
        QParams qp = QParams.forBias(0.5f, new float[] {0.01f, 0.02f});
        assertEquals(QDType.QINT32, qp.getDType());
        assertEquals((float) (0.5 * (double) 0.01f), qp.scale(0));
        assertEquals((float) (0.5 * (double) 0.02f), qp.scale(1));
        assertEquals(0, qp.zeroPoint(1));
        assertFalse(QParams.forBias(0.5f, new float[] {0.01f}).isPerChannel());
    }
}
