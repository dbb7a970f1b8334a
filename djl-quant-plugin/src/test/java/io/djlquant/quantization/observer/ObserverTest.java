package io.djlquant.quantization.observer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QParamsCalculator;
import io.djlquant.quantization.qparams.QScheme;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ObserverTest {

    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void minMaxKeepsRunningExtremes() {
        MinMaxObserver obs = new MinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE);
        NDArray a = manager.create(new float[] {1f, -2f, 3f});
        assertSame(a, obs.observe(a));
        QParams first = obs.computeQParams();
        assertEquals(5f / 255f, first.scale(0), 1e-8); // range [-2, 3]
        // a new observation invalidates the cached parameters
        obs.observe(manager.create(new float[] {5f, 0f}));
        assertEquals(-2f, obs.getMin());
        assertEquals(5f, obs.getMax());
        // scale 7/255, zero point 0 - rint(-2 / (7/255)) = rint(72.86) = 73
        QParams qp = obs.computeQParams();
        assertEquals(7f / 255f, qp.scale(0), 1e-8);
        assertEquals(73, qp.zeroPoint(0));
    }

    @Test
    void disabledObserverRecordsNothing() {
        MinMaxObserver obs = new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC);
        obs.observe(manager.create(new float[] {1f}));
        obs.setEnabled(false);
        obs.observe(manager.create(new float[] {100f}));
        assertEquals(1f, obs.getMax());
        obs.reset();
        assertFalse(obs.hasObserved());
    }

    @Test
    void movingAverageUpdateArithmetic() {
        MovingAverageMinMaxObserver obs =
                new MovingAverageMinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE);
        assertEquals(0.9f, obs.getMomentum());
        obs.observe(manager.create(new float[] {-1f, 2f}));
        assertEquals(-1f, obs.getMin());
        assertEquals(2f, obs.getMax());
        obs.observe(manager.create(new float[] {-3f, 4f}));
        // 0.9 * -1 + 0.1 * -3 = -1.2 ; 0.9 * 2 + 0.1 * 4 = 2.2
        assertEquals(-1.2f, obs.getMin(), 1e-6);
        assertEquals(2.2f, obs.getMax(), 1e-6);
        MovingAverageMinMaxObserver half =
                new MovingAverageMinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE, 0.5f);
        half.observe(manager.create(new float[] {0f, 2f}));
        half.observe(manager.create(new float[] {0f, 4f}));
        half.observe(manager.create(new float[] {0f, 8f}));
        assertEquals(5.5f, half.getMax(), 1e-6); // (2+4)/2 = 3, (3+8)/2 = 5.5
        assertThrows(
                IllegalArgumentException.class,
                () -> new MovingAverageMinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_AFFINE, 1f));
    }

    @Test
    void perChannelMinMax() {
        PerChannelMinMaxObserver obs =
                new PerChannelMinMaxObserver(QDType.QINT8_NARROW, QScheme.PER_CHANNEL_SYMMETRIC);
        obs.observe(
                manager.create(new float[] {1f, -2f, 3f, 0.5f, 0.25f, -0.125f}, new Shape(2, 3)));
        assertArrayEquals(new float[] {-2f, -0.125f}, obs.getMin());
        assertArrayEquals(new float[] {3f, 0.5f}, obs.getMax());
        obs.observe(manager.create(new float[] {4f, 0f, 0f, 0f, 0f, 0f}, new Shape(2, 3)));
        assertArrayEquals(new float[] {4f, 0.5f}, obs.getMax());
        QParams qp = obs.computeQParams();
        assertTrue(qp.isPerChannel());
        assertEquals(4f / 127f, qp.scale(0), 1e-9);
        assertEquals(0.5f / 127f, qp.scale(1), 1e-9);
        assertThrows(
                IllegalArgumentException.class,
                () -> obs.observe(manager.create(new float[3], new Shape(3, 1))));
        assertThrows(
                IllegalArgumentException.class,
                () -> new PerChannelMinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC));
        assertThrows(
                IllegalArgumentException.class,
                () -> new MinMaxObserver(QDType.QINT8, QScheme.PER_CHANNEL_SYMMETRIC));
    }

    /** Mean squared quantize-dequantize error of {@code data} under {@code qp}. */
    private static double mse(float[] data, QParams qp) {
        double sum = 0;
        for (float v : data) {
            double d = v - qp.dequantize(qp.quantize(v, 0), 0);
            sum += d * d;
        }
        return sum / data.length;
    }

    private static float[] uniformWithOutlier(int n, float outlier) {
        float[] data = new float[n + 1];
        for (int i = 0; i < n; i++) {
            data[i] = -1f + 2f * i / (n - 1); // uniform on [-1, 1]
        }
        data[n] = outlier;
        return data;
    }

    @Test
    void histogramClipsOutlier() {
        // with an L2 criterion one outlier is worth clipping once the rounding noise it causes
        // over all other samples exceeds its own clipping error: 10^6 samples at 8 bit
        float[] data = uniformWithOutlier(1_000_000, 100f);
        NDArray x = manager.create(data);
        MinMaxObserver minMax = new MinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE);
        minMax.observe(x);
        assertEquals(100f, minMax.getMax());

        HistogramObserver hist = new HistogramObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE);
        hist.observe(x);
        float[] r = hist.computeClippingRange();
        assertTrue(r[1] < 60f && r[1] > 1f, "upper bound should clip the outlier: " + r[1]);
        assertTrue(r[0] < -0.9f, "lower bound should keep the bulk: " + r[0]);
        QParams qp = hist.computeQParams();
        assertEquals(0f, qp.dequantize(qp.quantize(0f, 0), 0));
        double histMse = mse(data, qp);
        double minMaxMse = mse(data, minMax.computeQParams());
        assertTrue(histMse < 0.8 * minMaxMse, histMse + " vs min/max " + minMaxMse);
    }

    @Test
    void histogramClipsOutlierSymmetricLowBit() {
        // at 4 bit, range [-100, 100] rounds the whole bulk to 0 (error 1/3 each), which costs more
        // than clipping the outlier once there are more than ~3 * 99^2 samples
        float[] data = uniformWithOutlier(100_000, 100f);
        NDArray x = manager.create(data);
        HistogramObserver sym = new HistogramObserver(QDType.QINT4, QScheme.PER_TENSOR_SYMMETRIC);
        sym.observe(x);
        float[] rs = sym.computeClippingRange();
        assertEquals(-rs[0], rs[1]);
        // near the bulk edge (at 4 bit, clipping the bulk slightly is L2-optimal)
        assertTrue(rs[1] < 2f && rs[1] > 0.5f, "symmetric threshold: " + rs[1]);
        MinMaxObserver minMax = new MinMaxObserver(QDType.QINT4, QScheme.PER_TENSOR_SYMMETRIC);
        minMax.observe(x);
        double histMse = mse(data, sym.computeQParams());
        double minMaxMse = mse(data, minMax.computeQParams());
        assertTrue(histMse < 0.5 * minMaxMse, histMse + " vs min/max " + minMaxMse);
    }

    @Test
    void histogramKeepsRangeWithoutOutliersAndGrows() {
        float[] data = new float[4000];
        for (int i = 0; i < data.length; i++) {
            data[i] = 3f * i / (data.length - 1); // uniform on [0, 3]
        }
        HistogramObserver hist = new HistogramObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE);
        hist.observe(manager.create(data));
        float[] r = hist.computeClippingRange();
        assertEquals(0f, r[0]);
        assertTrue(r[1] > 2.9f, "uniform data should not be clipped: " + r[1]);
        // a later batch beyond the range grows the histogram
        hist.observe(manager.create(new float[] {-6f, 6f}));
        assertEquals(-6f, hist.getHistogramMin());
        assertEquals(6f, hist.getHistogramMax());
    }

    @Test
    void passiveObserverUsesGivenScale() {
        PassiveObserver obs = new PassiveObserver(0.125f, QDType.QUINT8);
        assertTrue(obs.hasObserved());
        obs.observe(manager.create(new float[] {1000f}));
        assertEquals(QParams.perTensor(QDType.QUINT8, 0.125f, 128), obs.computeQParams());
        assertThrows(IllegalArgumentException.class, () -> new PassiveObserver(0f, QDType.QINT8));
    }

    @Test
    void rejectsNanAndInfinityNamingTheObserver() {
        Observer[] all = {
            new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC),
            new MovingAverageMinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC),
            new PerChannelMinMaxObserver(QDType.QINT8, QScheme.PER_CHANNEL_SYMMETRIC),
            new HistogramObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC)
        };
        for (Observer o : all) {
            for (float bad :
                    new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                NDArray x = manager.create(new float[] {1f, bad}, new Shape(1, 2));
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, () -> o.observe(x));
                assertTrue(e.getMessage().contains(o.getClass().getSimpleName()), e.getMessage());
            }
            NDArray empty = manager.create(new float[0], new Shape(0, 2));
            assertThrows(IllegalArgumentException.class, () -> o.observe(empty));
            assertFalse(o.hasObserved());
        }
    }

    @Test
    void notObservedError() {
        Observer[] all = {
            new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC),
            new MovingAverageMinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC),
            new PerChannelMinMaxObserver(QDType.QINT8, QScheme.PER_CHANNEL_SYMMETRIC),
            new HistogramObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC)
        };
        for (Observer o : all) {
            IllegalStateException e = assertThrows(IllegalStateException.class, o::computeQParams);
            assertTrue(e.getMessage().contains(o.getClass().getSimpleName()), e.getMessage());
            assertTrue(e.getMessage().contains("has not observed any data; run calibration first"));
        }
    }

    @Test
    void integerInputIsObservedAsFloat() {
        MinMaxObserver obs = new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC);
        obs.observe(manager.create(new int[] {-3, 7}));
        assertEquals(-3f, obs.getMin());
        assertEquals(7f, obs.getMax());
        assertEquals(
                QParamsCalculator.perTensor(-3f, 7f, QDType.QINT8, true), obs.computeQParams());
    }
}
