package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import io.djlquant.engine.JqNDArray;
import io.djlquant.kernels.ConvParams;
import io.djlquant.nn.ElementWise.Mode;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Q blocks on JavaQuant and PyTorch arrays, through a saved model, concurrently, and refusals. */
class QuantizedEngineTest {

    private static final Shape IN = new Shape(4, 3, 8, 8);

    @Test
    void sameValuesOnPyTorchJavaQuantAndReloadedModel(@TempDir Path dir) throws Exception {
        SequentialBlock net = HandBuilt.network(7);
        float[] x = QTests.uniform(1, (int) IN.size(), -2.5f, 2.5f);
        float[] onPt;
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            NDArray y = QTests.run(net, pt, pt.create(x, IN));
            assertEquals("PyTorch", y.getManager().getEngine().getEngineName());
            assertEquals(new Shape(4, 10), y.getShape());
            onPt = y.toFloatArray();
        }
        float[] onJq;
        try (NDManager jq = QTests.jq()) {
            NDArray y = QTests.run(net, jq, jq.create(x, IN));
            assertInstanceOf(JqNDArray.class, y);
            assertEquals(DataType.FLOAT32, y.getDataType());
            onJq = y.toFloatArray();
        }
        assertArrayEquals(onJq, onPt, "drop-in use on PyTorch must give the JavaQuant values");
        // the output is not trivial: several distinct logits
        assertTrue(java.util.Arrays.stream(box(onJq)).distinct().count() > 5);

        QuantizedModels.save(net, dir.resolve("net.jq"), Map.of("input", "(N,3,8,8)"));
        try (Model model = Model.newInstance("net", "JavaQuant")) {
            model.load(dir);
            assertEquals(describe(net), describe(model.getBlock()));
            assertEquals("(N,3,8,8)", model.getProperty("input"));
            try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator());
                    NDManager jq = QTests.jq()) {
                NDArray y = p.predict(new NDList(jq.create(x, IN))).singletonOrThrow();
                assertArrayEquals(onJq, y.toFloatArray(), "reloaded model must be bit-identical");
            }
        }
    }

    @Test
    void javaQuantOutputsCarryQuantizationAndAreUsedDirectly() {
        SequentialBlock net = HandBuilt.network(3);
        Block stub = net.getChildren().get(0).getValue();
        Block conv = net.getChildren().get(1).getValue();
        try (NDManager jq = QTests.jq()) {
            NDArray x = QTests.input(jq, 5, IN, -2f, 2f);
            NDArray q = QTests.run(stub, jq, x);
            assertInstanceOf(JqNDArray.class, q);
            assertEquals(DataType.UINT8, q.getDataType());
            JqNDArray qj = (JqNDArray) q;
            assertArrayEquals(new float[] {0.02f}, qj.getQuantScales());
            assertArrayEquals(new int[] {128}, qj.getQuantZeroPoints());
            NDArray y1 = QTests.run(conv, jq, q);
            NDArray y2 = QTests.run(conv, jq, x);
            assertArrayEquals(((JqNDArray) y1).getByteData(), ((JqNDArray) y2).getByteData());

            // an int8 array quantized with other parameters is a wiring error
            JqNDArray other = (JqNDArray) q.duplicate();
            other.setQuantization(new float[] {0.03f}, new int[] {128}, JqNDArray.PER_TENSOR);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> QTests.run(conv, jq, other));
            assertTrue(e.getMessage().contains("ConvBnRelu2d"), e.getMessage());
            assertTrue(e.getMessage().contains("0.03"), e.getMessage());
        }
    }

    @Test
    void trainingForwardIsRefused() {
        SequentialBlock net = HandBuilt.network(1);
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            NDArray x = QTests.input(pt, 2, IN, -1f, 1f);
            IllegalStateException e =
                    assertThrows(
                            IllegalStateException.class,
                            () -> net.forward(new ParameterStore(pt, false), new NDList(x), true));
            assertTrue(e.getMessage().contains("cannot train"), e.getMessage());
            assertTrue(e.getMessage().contains("quantized.QuantStub"), e.getMessage());
        }
        assertTrue(net.getParameters().isEmpty(), "a Q model has no gradient parameters");
    }

    @Test
    void concurrentForwardGivesTheSameResult() throws Exception {
        SequentialBlock net = HandBuilt.network(11);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (NDManager jq = QTests.jq()) {
            float[] x = QTests.uniform(9, (int) IN.size(), -2f, 2f);
            float[] expected = QTests.run(net, jq, jq.create(x, IN)).toFloatArray();
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(
                        pool.submit(
                                () -> {
                                    try (NDManager m = QTests.jq()) {
                                        return QTests.run(net, m, m.create(x, IN)).toFloatArray();
                                    }
                                }));
            }
            for (Future<float[]> f : results) {
                assertArrayEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void broadcastingJoinMatchesPerElementFormula() {
        QParams qa = QParams.perTensor(QDType.QUINT8, 0.05f, 20);
        QParams qb = QParams.perTensor(QDType.QINT8, 0.03f, 1);
        QParams qo = QParams.perTensor(QDType.QUINT8, 0.07f, 5);
        for (Mode mode : Mode.values()) {
            ElementWise join = new ElementWise(mode, qa, qb, qo);
            try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
                NDArray a = QTests.input(pt, 1, new Shape(2, 3, 4), -1f, 9f);
                NDArray b = QTests.input(pt, 2, new Shape(3, 1), -3f, 3f);
                NDArray y =
                        join.forward(new ParameterStore(pt, false), new NDList(a, b), false)
                                .singletonOrThrow();
                assertEquals(new Shape(2, 3, 4), y.getShape());
                float[] av = a.toFloatArray();
                float[] bv = b.toFloatArray();
                float[] yv = y.toFloatArray();
                for (int i = 0; i < yv.length; i++) {
                    float fa = qa.dequantize(qa.quantize(av[i], 0), 0);
                    float fb = qb.dequantize(qb.quantize(bv[(i / 4) % 3], 0), 0);
                    float r = mode == Mode.MUL ? fa * fb : fa + fb;
                    if (mode == Mode.ADD_RELU) {
                        r = Math.max(r, 0f);
                    }
                    assertEquals(qo.dequantize(qo.quantize(r, 0), 0), yv[i], 0f, mode + " at " + i);
                }
            }
        }
    }

    @Test
    void badConstructionIsRejected() {
        Random r = new Random(1);
        QParams a = QParams.perTensor(QDType.QUINT8, 0.1f, 0);
        QParams affineW = QParams.perTensor(QDType.QINT8, 0.1f, 3);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new QuantizedWeights(
                                        new byte[4], new Shape(2, 2), affineW, new int[2]));
        assertTrue(e.getMessage().contains("zero point 0"), e.getMessage());
        QParams narrow = QParams.perTensor(QDType.QINT8_NARROW, 0.1f, 0);
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new QuantizedWeights(
                                        new byte[] {0, -128, 1, 2},
                                        new Shape(2, 2),
                                        narrow,
                                        new int[2]));
        assertTrue(e.getMessage().contains("-128"), e.getMessage());
        QParams perChannelAct = QParams.perChannel(QDType.QUINT8, new float[] {1f, 1f}, new int[2]);
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new PlainLinear(
                                        HandBuilt.weights(r, QDType.QINT8, true, 2, 2),
                                        perChannelAct,
                                        a));
        assertTrue(e.getMessage().contains("per tensor"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new PoolGeometry(2, 2, ConvParams.of(1, 2, 1)));
    }

    private static Float[] box(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = v[i];
        }
        return b;
    }

    /** The block tree as class names and configurations, for comparing trees. */
    static String describe(Block b) {
        StringBuilder sb = new StringBuilder(b.getClass().getName()).append('[');
        if (!(b instanceof SequentialBlock) && !(b instanceof Residual)) {
            sb.append(b);
        }
        b.getChildren()
                .forEach(
                        p ->
                                sb.append(p.getKey())
                                        .append('=')
                                        .append(describe(p.getValue()))
                                        .append(';'));
        return sb.append(']').toString();
    }
}
