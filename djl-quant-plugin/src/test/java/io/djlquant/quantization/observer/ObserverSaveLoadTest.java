package io.djlquant.quantization.observer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QScheme;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ObserverSaveLoadTest {

    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    static byte[] save(Block b) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream os = new DataOutputStream(bos)) {
            b.saveParameters(os);
        }
        return bos.toByteArray();
    }

    static void load(Block b, byte[] bytes) throws IOException, MalformedModelException {
        try (DataInputStream is = new DataInputStream(new ByteArrayInputStream(bytes))) {
            b.loadParameters(manager, is);
        }
    }

    @Test
    void minMaxAndEmaRoundTrip() throws Exception {
        MovingAverageMinMaxObserver a =
                new MovingAverageMinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE);
        a.observe(manager.create(new float[] {-1f, 2f}));
        a.observe(manager.create(new float[] {-3f, 4f}));
        a.setEnabled(false);
        MovingAverageMinMaxObserver b =
                new MovingAverageMinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE);
        load(b, save(a));
        assertEquals(a.getMin(), b.getMin());
        assertEquals(a.getMax(), b.getMax());
        assertFalse(b.isEnabled());
        assertEquals(a.computeQParams(), b.computeQParams());
    }

    @Test
    void perChannelRoundTrip() throws Exception {
        PerChannelMinMaxObserver a =
                new PerChannelMinMaxObserver(QDType.QINT8_NARROW, QScheme.PER_CHANNEL_SYMMETRIC);
        a.observe(manager.create(new float[] {1f, -2f, 3f, 0.5f}, new Shape(2, 2)));
        PerChannelMinMaxObserver b =
                new PerChannelMinMaxObserver(QDType.QINT8_NARROW, QScheme.PER_CHANNEL_SYMMETRIC);
        load(b, save(a));
        assertArrayEquals(a.getMin(), b.getMin());
        assertEquals(a.computeQParams(), b.computeQParams());
        // an unobserved observer round-trips as unobserved
        PerChannelMinMaxObserver c =
                new PerChannelMinMaxObserver(QDType.QINT8_NARROW, QScheme.PER_CHANNEL_SYMMETRIC);
        load(b, save(c));
        assertFalse(b.hasObserved());
    }

    @Test
    void histogramAndPassiveRoundTrip() throws Exception {
        HistogramObserver a = new HistogramObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE, 64);
        a.observe(manager.create(new float[] {-1f, 0.5f, 2f, 2f, 50f}));
        HistogramObserver b = new HistogramObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE, 64);
        load(b, save(a));
        assertTrue(b.hasObserved());
        assertArrayEquals(a.computeClippingRange(), b.computeClippingRange());
        assertEquals(a.computeQParams(), b.computeQParams());

        PassiveObserver p = new PassiveObserver(0.25f, QDType.QINT8);
        PassiveObserver q = new PassiveObserver(1f, QDType.QINT8);
        load(q, save(p));
        assertEquals(0.25f, q.getScale());
    }

    @Test
    void mismatchesAreMalformed() throws Exception {
        MinMaxObserver a = new MinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE);
        a.observe(manager.create(new float[] {1f}));
        byte[] bytes = save(a);
        MinMaxObserver wrongType = new MinMaxObserver(QDType.QINT8, QScheme.PER_TENSOR_AFFINE);
        assertThrows(MalformedModelException.class, () -> load(wrongType, bytes));
        bytes[0] = 99; // version byte
        MinMaxObserver b = new MinMaxObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE);
        MalformedModelException e =
                assertThrows(MalformedModelException.class, () -> load(b, bytes));
        assertTrue(e.getMessage().contains("version"), e.getMessage());
        HistogramObserver h64 = new HistogramObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE, 64);
        h64.observe(manager.create(new float[] {1f}));
        HistogramObserver h32 = new HistogramObserver(QDType.QUINT8, QScheme.PER_TENSOR_AFFINE, 32);
        byte[] hb = save(h64);
        assertThrows(MalformedModelException.class, () -> load(h32, hb));
    }
}
