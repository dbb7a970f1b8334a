package io.djlquant.quantization.fakequant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.djlquant.quantization.observer.MinMaxObserver;
import io.djlquant.quantization.observer.PassiveObserver;
import io.djlquant.quantization.observer.PerChannelMinMaxObserver;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QScheme;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LearnableFakeQuantizeTest {

    private static final double LN2 = Math.log(2);
    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /** x / 0.5 = 0.6, -1.4, 2.4, 200 -> round 1, -1, 2, clamp 127. */
    private static NDArray sample() {
        return manager.create(new float[] {0.3f, -0.7f, 1.2f, 100f});
    }

    @Test
    void lsqForwardAndClosedFormGradients() {
        LsqFakeQuantize lsq = new LsqFakeQuantize(new PassiveObserver(0.5f, QDType.QINT8));
        NDArray x = sample();
        x.setRequiresGradient(true);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            y = lsq.apply(x);
            gc.backward(y.sum());
        }
        assertArrayEquals(new float[] {0.5f, -0.5f, 1f, 63.5f}, y.toFloatArray());
        assertArrayEquals(new float[] {1f, 1f, 1f, 0f}, x.getGradient().toFloatArray());
        // d/ds: (round(v) - v) inside = 0.4, 0.4, -0.4 ; qmax - zp = 127 outside; times g
        double g = 1 / Math.sqrt(4 * 127.0);
        double expected = (0.4 + 0.4 - 0.4 + 127) * g;
        float grad = lsq.getLearnableParameter().getArray().getGradient().getFloat(0);
        assertEquals(expected, grad, 1e-5);
        assertEquals(QParams.perTensor(QDType.QINT8, 0.5f, 0), lsq.getQParams());
    }

    @Test
    void tqtPowerOfTwoScaleAndClosedFormGradient() {
        // observer scale 0.375 -> log2_t = -1.415 -> s = 2^ceil(-1.415) = 0.5
        TqtFakeQuantize tqt = new TqtFakeQuantize(new PassiveObserver(0.375f, QDType.QINT8));
        NDArray x = sample();
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            y = tqt.apply(x);
            gc.backward(y.sum());
        }
        assertArrayEquals(new float[] {0.5f, -0.5f, 1f, 63.5f}, y.toFloatArray());
        NDArray log2t = tqt.getLearnableParameter().getArray();
        assertEquals(Math.log(0.375) / LN2, log2t.getFloat(0), 1e-6);
        assertEquals(0.5f, tqt.getQParams().scale(0));
        // d/dlog2_t = s * ln2 * sum(inside: round(v) - v, outside: qmax)
        double expected = 0.5 * LN2 * (0.4 + 0.4 - 0.4 + 127);
        assertEquals(expected, log2t.getGradient().getFloat(0), 1e-4);
    }

    @Test
    void lsqGradientMatchesCentralDifferenceOfSurrogate() {
        // the STE surrogate of the LSQ output is (clip(v) rounded, with round treated as a
        // constant offset): y(s) = (round(v0) - v0 + x / s) * s inside the range, qmax * s
        // outside, where v0 = x / s0 is frozen; its central difference must match autograd / g
        LsqFakeQuantize lsq = new LsqFakeQuantize(new PassiveObserver(0.5f, QDType.QINT8));
        float[] xs = {0.3f, -0.7f, 1.2f, 100f};
        NDArray x = manager.create(xs);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(lsq.apply(x).sum());
        }
        double g = 1 / Math.sqrt(4 * 127.0);
        double auto = lsq.getLearnableParameter().getArray().getGradient().getFloat(0) / g;
        double s0 = 0.5;
        double h = 1e-4;
        double fd = (surrogate(xs, s0, s0 + h) - surrogate(xs, s0, s0 - h)) / (2 * h);
        assertEquals(fd, auto, 1e-3);
    }

    private static double surrogate(float[] xs, double s0, double s) {
        double sum = 0;
        for (float x : xs) {
            double v0 = x / s0;
            double r = Math.rint(v0);
            if (r > 127 || r < -128) {
                sum += Math.max(-128, Math.min(127, r)) * s;
            } else {
                sum += (r - v0 + x / s) * s;
            }
        }
        return sum;
    }

    @Test
    void perChannelLsqInitialisesFromObserver() {
        LsqFakeQuantize lsq =
                new LsqFakeQuantize(
                        new PerChannelMinMaxObserver(
                                QDType.QINT8_NARROW, QScheme.PER_CHANNEL_SYMMETRIC));
        NDArray w = manager.create(new float[] {1.27f, -0.5f, 0.127f, 0.0635f}, new Shape(2, 2));
        float[] y = lsq.apply(w).toFloatArray();
        QParams qp = lsq.getQParams();
        assertTrue(qp.isPerChannel());
        assertEquals(0.01f, qp.scale(0), 1e-8);
        assertEquals(0.001f, qp.scale(1), 1e-9);
        assertEquals(new Shape(2), lsq.getLearnableParameter().getArray().getShape());
        assertEquals(0.064f, y[3], 1e-6);
    }

    @Test
    void trainerUpdatesLsqScale() {
        LsqFakeQuantize lsq = new LsqFakeQuantize(new PassiveObserver(0.5f, QDType.QINT8));
        try (Model model = Model.newInstance("lsq", "PyTorch")) {
            model.setBlock(lsq);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(Loss.l2Loss())
                            .optOptimizer(
                                    Optimizer.sgd()
                                            .setLearningRateTracker(Tracker.fixed(0.01f))
                                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(4));
                assertFalse(lsq.isScaleInitialized());
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray y = trainer.forward(new NDList(sample())).singletonOrThrow();
                    gc.backward(y.sum());
                }
                trainer.step();
                // SGD: s = 0.5 - lr * grad, grad = 127.4 * g (see the closed-form test)
                double g = 1 / Math.sqrt(4 * 127.0);
                double expected = 0.5 - 0.01 * (127.4 * g);
                assertTrue(lsq.isScaleInitialized());
                assertEquals(expected, lsq.getQParams().scale(0), 1e-5);
            }
        }
    }

    @Test
    void saveLoadRoundTripKeepsLearnedScaleAndObserver() throws Exception {
        TqtFakeQuantize a =
                new TqtFakeQuantize(new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC));
        a.apply(manager.create(new float[] {-3f, 1f}));
        a.enableFakeQuant(false);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream os = new DataOutputStream(bos)) {
            a.saveParameters(os);
        }
        TqtFakeQuantize b =
                new TqtFakeQuantize(new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC));
        try (DataInputStream is =
                new DataInputStream(new ByteArrayInputStream(bos.toByteArray()))) {
            b.loadParameters(manager, is);
        }
        assertEquals(a.getQParams(), b.getQParams());
        assertFalse(b.isFakeQuantEnabled());
        assertEquals(-3f, ((MinMaxObserver) b.getObserver()).getMin());
        // the reloaded learnable scale is trainable again
        b.enableFakeQuant(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(b.apply(manager.create(new float[] {0.3f, 100f})).sum());
        }
        assertTrue(b.getLearnableParameter().getArray().getGradient().getFloat(0) != 0f);
    }

    @Test
    void uncalibratedLearnableFails() {
        LsqFakeQuantize lsq =
                new LsqFakeQuantize(new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_SYMMETRIC));
        assertThrows(IllegalStateException.class, lsq::getQParams);
        lsq.enableObserver(false);
        assertThrows(IllegalStateException.class, () -> lsq.apply(sample()));
    }
}
