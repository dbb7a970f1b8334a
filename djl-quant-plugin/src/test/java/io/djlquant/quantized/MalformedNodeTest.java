package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.djlquant.format.BlockCodecs;
import io.djlquant.format.JqGraph;
import io.djlquant.format.JqModelWriter;
import io.djlquant.format.JqNode;
import io.djlquant.format.JqTensor;
import io.djlquant.nn.ElementWise.Mode;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoding quantized nodes of an untrusted file: every inconsistency is a MalformedModelException.
 */
class MalformedNodeTest {

    private static final String CONV = "djlquant.quantized.ConvBnRelu2d";
    private static final String CONV4 = "djlquant.quantized.ConvBn2d";
    private static final String LINEAR = "djlquant.quantized.LinearBnRelu1d";

    /** Encodes the hand-built network, lets {@code edit} change it, and decodes. */
    private static MalformedModelException broken(BiConsumer<JqGraph, Map<String, JqTensor>> edit) {
        JqGraph g = BlockCodecs.encode(HandBuilt.network(5), Map.of());
        Map<String, JqTensor> tensors = new LinkedHashMap<>(g.getTensors());
        edit.accept(g, tensors);
        JqGraph edited = new JqGraph(g.getRoot(), tensors, Map.of());
        try (NDManager m = QTests.jq()) {
            return assertThrows(MalformedModelException.class, () -> BlockCodecs.decode(edited, m));
        }
    }

    private static void replace(
            Map<String, JqTensor> tensors, JqNode node, String key, JqTensor with) {
        try {
            String name = node.getTensorName(key);
            tensors.put(name, with.withName(name));
        } catch (MalformedModelException e) {
            throw new AssertionError(e);
        }
    }

    private static JqTensor floats(float... v) {
        return JqTensor.of("x", v, new Shape(v.length));
    }

    private static void expect(MalformedModelException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void unchangedGraphDecodes() throws Exception {
        JqGraph g = BlockCodecs.encode(HandBuilt.network(5), Map.of());
        try (NDManager m = QTests.jq()) {
            Block b = BlockCodecs.decode(g, m);
            assertTrue(
                    QuantizedEngineTest.describe(b)
                            .equals(QuantizedEngineTest.describe(HandBuilt.network(5))));
        }
    }

    @Test
    void wrongWeightDtype() {
        expect(
                broken(
                        (g, t) -> {
                            JqNode n = QTests.findNode(g.getRoot(), CONV);
                            replace(
                                    t,
                                    n,
                                    "weight",
                                    JqTensor.of(
                                            "x", new int[8 * 3 * 3 * 3], new Shape(8, 3, 3, 3)));
                        }),
                "must be int8");
    }

    @Test
    void weightShapeDisagreesWithConfig() {
        expect(
                broken(
                        (g, t) ->
                                QTests.findNode(g.getRoot(), CONV)
                                        .put("weightShape", new long[] {8, 3, 3, 2})),
                "shape");
        expect(
                broken(
                        (g, t) ->
                                QTests.findNode(g.getRoot(), LINEAR)
                                        .put("weightShape", new long[] {16, 8, 1})),
                "rank 2");
        expect(
                broken(
                        (g, t) ->
                                QTests.findNode(g.getRoot(), CONV)
                                        .put("weightShape", new long[] {8, 3, 3, -3})),
                "weightShape");
    }

    @Test
    void badScales() {
        expect(
                broken(
                        (g, t) ->
                                replace(
                                        t,
                                        QTests.findNode(g.getRoot(), CONV),
                                        "weightScale",
                                        floats(
                                                0.01f, 0.01f, 0f, 0.01f, 0.01f, 0.01f, 0.01f,
                                                0.01f))),
                "scale",
                "finite and > 0");
        expect(
                broken(
                        (g, t) ->
                                replace(
                                        t,
                                        QTests.findNode(g.getRoot(), CONV),
                                        "weightScale",
                                        floats(
                                                0.01f, Float.NaN, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f,
                                                0.01f))),
                "scale");
        expect(
                broken(
                        (g, t) ->
                                replace(
                                        t,
                                        QTests.findNode(g.getRoot(), CONV),
                                        "weightScale",
                                        floats(0.01f, 0.01f))),
                "weightScale");
        expect(
                broken((g, t) -> QTests.findNode(g.getRoot(), CONV).put("inputScale", -0.5f)),
                "input",
                "scale");
    }

    @Test
    void zeroPointsAndWeightValuesOutOfRange() {
        expect(
                broken((g, t) -> QTests.findNode(g.getRoot(), CONV).put("outputZeroPoint", 300)),
                "zeroPoint",
                "300");
        expect(
                broken(
                        (g, t) ->
                                QTests.findNode(g.getRoot(), "djlquant.quantized.QuantStub")
                                        .put("outputDType", "QINT32")),
                "QINT32");
        expect(
                broken((g, t) -> QTests.findNode(g.getRoot(), CONV).put("inputDType", "QINT9")),
                "QINT9");
        // QINT8_NARROW weights never hold -128
        expect(
                broken(
                        (g, t) -> {
                            JqNode n = QTests.findNode(g.getRoot(), CONV);
                            byte[] w = new byte[8 * 3 * 3 * 3];
                            w[5] = -128;
                            replace(
                                    t,
                                    n,
                                    "weight",
                                    JqTensor.of("x", w, new Shape(8, 3, 3, 3), DataType.INT8));
                        }),
                "-128");
    }

    @Test
    void biasAndPackedWeightsOfWrongLength() {
        expect(
                broken(
                        (g, t) ->
                                replace(
                                        t,
                                        QTests.findNode(g.getRoot(), LINEAR),
                                        "bias",
                                        JqTensor.of("x", new int[15], new Shape(15)))),
                "bias");
        // 4-bit weights: 8*2*3*3 = 144 values packed into 72 bytes
        expect(
                broken(
                        (g, t) ->
                                replace(
                                        t,
                                        QTests.findNode(g.getRoot(), CONV4),
                                        "weight",
                                        JqTensor.of(
                                                "x",
                                                new byte[144],
                                                new Shape(144),
                                                DataType.INT8))),
                "weight");
    }

    @Test
    void badGeometryAndModes() {
        expect(
                broken(
                        (g, t) ->
                                QTests.findNode(g.getRoot(), CONV).put("stride", new int[] {0, 1})),
                "stride");
        expect(broken((g, t) -> QTests.findNode(g.getRoot(), CONV).put("groups", 3)), "groups");
        expect(
                broken(
                        (g, t) ->
                                QTests.findNode(g.getRoot(), "djlquant.quantized.MaxPool2d")
                                        .put("padding", new int[] {2, 2})),
                "padding");
        expect(
                broken(
                        (g, t) ->
                                QTests.findNode(g.getRoot(), "djlquant.quantized.ElementWise")
                                        .put("mode", "SUB")),
                "SUB");
    }

    @Test
    void residualNeedsItsThreeChildren() throws Exception {
        QParams q = QParams.perTensor(QDType.QUINT8, 0.1f, 0);
        Residual r =
                new Residual(new Identity(q), new Identity(q), new ElementWise(Mode.ADD, q, q, q));
        JqGraph g = BlockCodecs.encode(r, Map.of());
        JqNode root = new JqNode(g.getRoot().getType(), "root");
        root.addChild(g.getRoot().getChildren().get(0));
        root.addChild(g.getRoot().getChildren().get(2));
        try (NDManager m = QTests.jq()) {
            MalformedModelException e =
                    assertThrows(
                            MalformedModelException.class,
                            () -> BlockCodecs.decode(new JqGraph(root, Map.of(), Map.of()), m));
            expect(e, "3 children");
        }
    }

    @Test
    void fourBitWeightsRoundTripPacked() throws Exception {
        byte[] v = {-8, 7, 0, -1, 3, -5, 6};
        byte[] packed = io.djlquant.quantized.codec.PackAccess.pack(v);
        assertTrue(packed.length == 4);
        assertArrayEquals(v, io.djlquant.quantized.codec.PackAccess.unpack(packed, v.length));
    }

    @Test
    void modelLoadReportsTheProblem(@TempDir Path dir) throws Exception {
        JqGraph g = BlockCodecs.encode(HandBuilt.network(5), Map.of());
        QTests.findNode(g.getRoot(), LINEAR).put("inputZeroPoint", 200);
        JqModelWriter.write(dir.resolve("bad.jq"), g);
        try (Model model = Model.newInstance("bad", "JavaQuant")) {
            MalformedModelException e =
                    assertThrows(MalformedModelException.class, () -> model.load(dir));
            expect(e, "LinearBnRelu1d", "zeroPoint");
        }
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
