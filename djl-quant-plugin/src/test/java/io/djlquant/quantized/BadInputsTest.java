package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad inputs at inference on the JavaQuant engine, through a Predictor of a loaded model and
 * through the block directly: each fails with an IllegalArgumentException (wrapped in a
 * TranslateException by the predictor) that names the block and what it expected.
 */
class BadInputsTest {

    /* HandBuilt.network expects (N, 3, 8, 8). */
    private static final SequentialBlock NET = HandBuilt.network(7);
    private static Model model;

    @BeforeAll
    static void loadModel(@TempDir Path dir) throws Exception {
        QuantizedModels.save(NET, dir.resolve("net.jq"), Map.of());
        model = Model.newInstance("net", "JavaQuant");
        model.load(dir, "net");
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    /** Runs the case on the block and through a predictor; returns the block's exception. */
    private static IllegalArgumentException rejected(
            Function<NDManager, NDArray> input, String... messageParts) throws Exception {
        IllegalArgumentException direct;
        try (NDManager jq = QTests.jq()) {
            NDArray x = input.apply(jq);
            direct = assertThrows(IllegalArgumentException.class, () -> QTests.run(NET, jq, x));
        }
        expect(direct.getMessage(), messageParts);
        try (NDManager jq = QTests.jq();
                Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator())) {
            NDArray x = input.apply(jq);
            TranslateException e =
                    assertThrows(TranslateException.class, () -> p.predict(new NDList(x)));
            IllegalArgumentException cause = causeOf(e);
            expect(cause.getMessage(), messageParts);
        }
        return direct;
    }

    private static IllegalArgumentException causeOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                return (IllegalArgumentException) t;
            }
        }
        throw new AssertionError("no IllegalArgumentException in the causes of " + e, e);
    }

    private static void expect(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + message + "' should contain '" + part + "'");
        }
    }

    private static NDArray uniform(NDManager m, Shape shape) {
        return QTests.input(m, 3, shape, -2f, 2f);
    }

    @Test
    void goodInputWorksBothWays() throws Exception {
        try (NDManager jq = QTests.jq();
                Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator())) {
            NDArray y =
                    p.predict(new NDList(uniform(jq, new Shape(2, 3, 8, 8)))).singletonOrThrow();
            assertEquals(new Shape(2, 10), y.getShape());
            NDArray direct = QTests.run(NET, jq, uniform(jq, new Shape(2, 3, 8, 8)));
            assertEquals(DataType.FLOAT32, direct.getDataType());
        }
    }

    @Test
    void wrongRank() throws Exception {
        rejected(m -> uniform(m, new Shape(3, 8, 8)), "rank-4", "(3, 8, 8)");
        rejected(m -> uniform(m, new Shape(1, 1, 3, 8, 8)), "rank-4");
    }

    @Test
    void wrongChannelCount() throws Exception {
        rejected(m -> uniform(m, new Shape(1, 1, 8, 8)), "3 input channels", "(1, 1, 8, 8)");
        rejected(m -> uniform(m, new Shape(1, 4, 8, 8)), "3 input channels");
    }

    @Test
    void zeroSizeInputs() throws Exception {
        rejected(
                m -> m.create(new float[0], new Shape(0, 3, 8, 8)),
                "quantized.QuantStub",
                "empty",
                "(0, 3, 8, 8)");
        rejected(m -> m.create(new float[0], new Shape(1, 3, 0, 8)), "empty", "(1, 3, 0, 8)");
    }

    @Test
    void imagesTooSmallForTheNetwork() throws Exception {
        // 1x1 passes the first padded conv, the 2x2/stride-2 max pool cannot
        rejected(
                m -> uniform(m, new Shape(1, 3, 1, 1)),
                "quantized.MaxPool2d",
                "(1, 8, 1, 1)",
                "does not fit");
    }

    @Test
    void hugeOutputsAreRejectedBeforeAllocating() {
        // A 1x1 image padded by 2^15 on each side would give a 65537x65537 output per channel
        // (34 GB): rejected from the sizes, before any allocation.
        QuantizedConv2d huge =
                new PlainConv2d(
                        HandBuilt.weights(
                                new java.util.Random(1),
                                io.djlquant.quantization.qparams.QDType.QINT8,
                                false,
                                8,
                                3,
                                1,
                                1),
                        io.djlquant.kernels.ConvParams.of(1, 1 << 15, 1),
                        1,
                        HandBuilt.act(io.djlquant.quantization.qparams.QDType.QUINT8, 0.02f, 128),
                        HandBuilt.act(io.djlquant.quantization.qparams.QDType.QUINT8, 0.05f, 0));
        try (NDManager jq = QTests.jq()) {
            NDArray x = uniform(jq, new Shape(1, 3, 1, 1));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> QTests.run(huge, jq, x));
            expect(e.getMessage(), "quantized.PlainConv2d", "(1, 3, 1, 1)", "too large");
        }
    }

    @Test
    void nanAndInfinity() throws Exception {
        for (float bad :
                new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            IllegalArgumentException e =
                    rejected(
                            m -> {
                                float[] x = QTests.uniform(5, 2 * 3 * 8 * 8, -1f, 1f);
                                x[100] = bad;
                                return m.create(x, new Shape(2, 3, 8, 8));
                            },
                            "QuantStub",
                            "finite",
                            Float.toString(bad),
                            "index 100");
            assertTrue(e.getMessage().startsWith("quantized.QuantStub"), e.getMessage());
        }
    }

    @Test
    void arraysOfAnotherEngine() throws Exception {
        // A PyTorch array is accepted (DESIGN.md: quantized blocks on any engine) and checked the
        // same way: good input gives the JavaQuant values, bad input the same clear errors.
        float[] x = QTests.uniform(9, 2 * 3 * 8 * 8, -2f, 2f);
        float[] expected;
        try (NDManager jq = QTests.jq()) {
            expected = QTests.run(NET, jq, jq.create(x, new Shape(2, 3, 8, 8))).toFloatArray();
        }
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            NDArray y = QTests.run(NET, pt, pt.create(x, new Shape(2, 3, 8, 8)));
            assertEquals("PyTorch", y.getManager().getEngine().getEngineName());
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, y.toFloatArray());
            try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator())) {
                NDArray viaPredictor =
                        p.predict(new NDList(pt.create(x, new Shape(2, 3, 8, 8))))
                                .singletonOrThrow();
                org.junit.jupiter.api.Assertions.assertArrayEquals(
                        expected, viaPredictor.toFloatArray());
            }
            NDArray wrong = pt.create(x, new Shape(2, 3, 64));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> QTests.run(NET, pt, wrong));
            expect(e.getMessage(), "rank-4");
            x[7] = Float.NaN;
            NDArray nan = pt.create(x, new Shape(2, 3, 8, 8));
            e = assertThrows(IllegalArgumentException.class, () -> QTests.run(NET, pt, nan));
            expect(e.getMessage(), "finite", "index 7");
        }
    }
}
