package io.djlquant.quantization.fakequant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.djlquant.quantization.observer.MinMaxObserver;
import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QScheme;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FakeQuantizeTest {

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
    void perTensorHalfEvenAndClamp() {
        QParams qp = QParams.perTensor(QDType.QINT8, 0.5f, 0);
        // x / 0.5 = 0.5, 1.5, 2.5, -0.5, 200, -200 -> 0, 2, 2, 0, 127, -128
        NDArray x = manager.create(new float[] {0.25f, 0.75f, 1.25f, -0.25f, 100f, -100f});
        float[] y = FakeQuantOps.fakeQuantize(x, qp).toFloatArray();
        assertArrayEquals(new float[] {0f, 1f, 1f, 0f, 63.5f, -64f}, y);
    }

    @Test
    void zeroPointAndFourBit() {
        QParams u4 = QParams.perTensor(QDType.QUINT4, 1f, 8);
        // rint(x) + 8 = -1, 16, 14, 8 -> clamp [0, 15] -> 0, 15, 14, 8
        NDArray x = manager.create(new float[] {-9f, 7.5f, 6.5f, 0f});
        assertArrayEquals(
                new float[] {-8f, 7f, 6f, 0f}, FakeQuantOps.fakeQuantize(x, u4).toFloatArray());
        QParams narrow = QParams.perTensor(QDType.QINT8_NARROW, 1f, 0);
        assertArrayEquals(
                new float[] {-127f, 127f},
                FakeQuantOps.fakeQuantize(manager.create(new float[] {-500f, 500f}), narrow)
                        .toFloatArray());
        QParams u8 = QParams.perTensor(QDType.QUINT8, 0.1f, 30);
        // 0.0 is exactly representable through the zero point
        assertEquals(
                0f, FakeQuantOps.fakeQuantize(manager.create(new float[] {0f}), u8).getFloat());
    }

    @Test
    void perChannelAlongAxisZero() {
        QParams qp = QParams.perChannel(QDType.QINT8, new float[] {0.5f, 0.25f}, new int[] {0, 0});
        // row 0 / 0.5 = 0.5, 3 -> 0, 3 ; row 1 / 0.25 = 2.5, 40 -> 2, 40
        NDArray w = manager.create(new float[] {0.25f, 1.5f, 0.625f, 10f}, new Shape(2, 2));
        NDArray y = FakeQuantOps.fakeQuantize(w, qp);
        assertEquals(new Shape(2, 2), y.getShape());
        assertArrayEquals(new float[] {0f, 1.5f, 0.5f, 10f}, y.toFloatArray());
        assertThrows(
                IllegalArgumentException.class,
                () -> FakeQuantOps.fakeQuantize(manager.create(new float[3], new Shape(3)), qp));
    }

    @Test
    void matchesScalarQParamsBitForBit() {
        Random rnd = new Random(7);
        float[] data = new float[2000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (rnd.nextGaussian() * 3);
        }
        for (QParams qp :
                new QParams[] {
                    QParams.perTensor(QDType.QUINT8, 0.0371f, 117),
                    QParams.perTensor(QDType.QINT8_NARROW, 0.0123f, 0),
                    QParams.perTensor(QDType.QINT4, 0.7f, 0)
                }) {
            float[] y = FakeQuantOps.fakeQuantize(manager.create(data), qp).toFloatArray();
            for (int i = 0; i < data.length; i++) {
                assertEquals(qp.dequantize(qp.quantize(data[i], 0), 0), y[i], "x=" + data[i]);
            }
        }
    }

    @Test
    void steGradientIsOneInsideZeroOutside() {
        QParams qp = QParams.perTensor(QDType.QINT8, 0.5f, 0);
        // representable range [-64, 63.5]; 70 and -80 are clamped
        NDArray x = manager.create(new float[] {0.3f, -10.2f, 63.2f, 70f, -80f});
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = FakeQuantOps.fakeQuantize(x, qp);
            gc.backward(y.sum());
        }
        assertArrayEquals(new float[] {1f, 1f, 1f, 0f, 0f}, x.getGradient().toFloatArray());
    }

    @Test
    void perChannelGradient() {
        QParams qp = QParams.perChannel(QDType.QINT4, new float[] {1f, 0.1f}, new int[] {0, 0});
        // channel 0 range [-8, 7], channel 1 [-0.8, 0.7]
        NDArray w = manager.create(new float[] {5f, 9f, 0.5f, 0.9f}, new Shape(2, 2));
        w.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(FakeQuantOps.fakeQuantize(w, qp).sum());
        }
        assertArrayEquals(new float[] {1f, 0f, 1f, 0f}, w.getGradient().toFloatArray());
    }

    @Test
    void biasFakeQuant() {
        // scales 0.5*0.01 = 0.005 and 0.5*0.02 = 0.01 ; 0.1234/0.005 = 24.68 -> 25 -> 0.125
        NDArray b = manager.create(new float[] {0.1234f, -0.2f});
        float[] y =
                FakeQuantOps.fakeQuantizeBias(b, 0.5f, new float[] {0.01f, 0.02f}).toFloatArray();
        assertEquals(0.125f, y[0], 1e-7);
        assertEquals(-0.2f, y[1], 1e-7);
        assertThrows(
                IllegalArgumentException.class,
                () -> FakeQuantOps.fakeQuantizeBias(b, 0.5f, new float[] {1f, 1f, 1f}));
    }

    @Test
    void fakeQuantizeBlockObservesAndSwitches() {
        FakeQuantize fq =
                new FakeQuantize(new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC));
        // first batch sets the range [-1.27, 1.27] -> scale 0.01
        NDArray x = manager.create(new float[] {-1.27f, 0.004f, 0.016f, 1.27f});
        float[] y = fq.apply(x).toFloatArray();
        assertEquals(0.01f, fq.getQParams().scale(0), 1e-8);
        assertEquals(0f, y[1]);
        assertEquals(0.02f, y[2], 1e-7);
        // through the DJL Block interface as well
        NDList out = fq.forward(new ParameterStore(manager, false), new NDList(x), false);
        assertArrayEquals(y, out.singletonOrThrow().toFloatArray());

        fq.enableFakeQuant(false);
        assertFalse(fq.isFakeQuantEnabled());
        assertSame(x, fq.apply(x));
        fq.enableFakeQuant(true).enableObserver(false);
        fq.apply(manager.create(new float[] {100f}));
        assertEquals(1.27f, ((MinMaxObserver) fq.getObserver()).getMax());
        assertTrue(fq.getChildren().values().contains(fq.getObserver()));
    }

    @Test
    void perChannelWeightFakeQuantBlock() {
        FakeQuantize fq =
                new FakeQuantize(
                        new PerChannelMinMaxObserver(
                                QDType.QINT8_NARROW, QScheme.PER_CHANNEL_SYMMETRIC));
        NDArray w = manager.create(new float[] {1.27f, -0.5f, 0.127f, 0.0635f}, new Shape(2, 2));
        float[] y = fq.apply(w).toFloatArray();
        assertEquals(0.01f, fq.getQParams().scale(0), 1e-8);
        assertEquals(0.001f, fq.getQParams().scale(1), 1e-9);
        assertEquals(-0.5f, y[1], 1e-6);
        assertEquals(0.064f, y[3], 1e-6); // 63.5 -> 64 (half-even)
    }

    @Test
    void notObservedBlockFails() {
        FakeQuantize fq =
                new FakeQuantize(new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC));
        fq.enableObserver(false);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> fq.apply(manager.create(new float[] {1f})));
        assertTrue(e.getMessage().contains("run calibration first"));
    }
}
