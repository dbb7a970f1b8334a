package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.djlquant.format.BlockCodecs;
import io.djlquant.format.JqGraph;
import io.djlquant.format.JqNode;
import io.djlquant.format.JqTensor;
import io.djlquant.nn.AvgPool2d;
import io.djlquant.nn.ConvBn2d;
import io.djlquant.nn.ConvBnRelu2d;
import io.djlquant.nn.ElementWise;
import io.djlquant.nn.Flatten;
import io.djlquant.nn.Identity;
import io.djlquant.nn.LinearBnRelu1d;
import io.djlquant.nn.MaxPool2d;
import io.djlquant.nn.PlainConv2d;
import io.djlquant.nn.PlainLinear;
import io.djlquant.nn.Residual;
import io.djlquant.qat.QatTestNets;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.QConfigOverrides;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantized.fallback.FloatOps;
import io.djlquant.quantized.fallback.FloatValues;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers kept in float inside an int8 model: their Java float form equals the PyTorch blocks, a
 * mixed-precision model saves to .jq and loads bit-identical, and what cannot be saved says why.
 */
class FloatFallbackTest {

    private static Shape s(long a, long b) {
        return new Shape(a, b);
    }

    /** Every block kind with a Java float form, in shapes that exercise padding, stride, groups. */
    private static SequentialBlock everyKind() {
        SequentialBlock branch =
                new SequentialBlock()
                        .add(
                                ConvBnRelu2d.builder()
                                        .setKernelShape(s(3, 3))
                                        .setFilters(6)
                                        .optPadding(s(1, 1))
                                        .build())
                        .add(
                                ConvBn2d.builder()
                                        .setKernelShape(s(3, 3))
                                        .setFilters(6)
                                        .optPadding(s(2, 2))
                                        .optDilation(s(2, 2))
                                        .optGroups(2)
                                        .optBias(true)
                                        .build());
        return new SequentialBlock()
                .add(
                        ConvBnRelu2d.builder()
                                .setKernelShape(s(5, 5))
                                .setFilters(6)
                                .optStride(s(2, 2))
                                .optPadding(s(2, 2))
                                .build())
                .add(new MaxPool2d(s(3, 3), s(2, 2), s(1, 1)))
                .add(
                        new Residual(
                                branch, new Identity(), new ElementWise(ElementWise.Mode.ADD_RELU)))
                .add(new AvgPool2d(s(3, 3), s(1, 1), s(1, 1)))
                .add(
                        new io.djlquant.nn.Branches(
                                java.util.List.of(
                                        ConvBnRelu2d.builder()
                                                .setKernelShape(s(1, 1))
                                                .setFilters(3)
                                                .build(),
                                        new SequentialBlock()
                                                .add(new MaxPool2d(s(2, 2), s(2, 2), s(0, 0)))
                                                .add(
                                                        PlainConv2d.builder()
                                                                .setKernelShape(s(1, 1))
                                                                .setFilters(2)
                                                                .build())
                                                .add(new io.djlquant.nn.Upsample(2)))))
                .add(new io.djlquant.nn.Sigmoid())
                .add(
                        PlainConv2d.builder()
                                .setKernelShape(s(1, 3))
                                .setFilters(4)
                                .optStride(s(1, 2))
                                .build())
                .add(new Flatten())
                .add(LinearBnRelu1d.builder().setUnits(7).build())
                .add(new io.djlquant.nn.Tanh())
                .add(PlainLinear.builder().setUnits(3).build());
    }

    @Test
    void javaFloatFormEqualsThePyTorchBlocks() {
        Shape in = new Shape(3, 5, 15, 13);
        // seeded: with some random weights a layer's outputs stayed below the non-trivial bound
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(4321);
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net = everyKind();
            QatTestNets.init(net, pt, in);
            NDArray x = pt.randomNormal(in);
            // layer by layer (each on the PyTorch output of the one before), then the whole tree
            ParameterStore ps = new ParameterStore(pt, false);
            NDArray layerIn = x;
            for (var child : net.getChildren()) {
                NDArray layerOut =
                        child.getValue().forward(ps, new NDList(layerIn), false).singletonOrThrow();
                assertClose(child.getKey(), layerOut, FloatOps.of(child.getValue()), layerIn);
                layerIn = layerOut;
            }
            assertClose("whole tree", layerIn, FloatOps.of(net), x);
            assertNull(FloatOps.of(new SequentialBlock().add(x1 -> x1)).op());
            assertTrue(
                    FloatOps.of(new SequentialBlock().add(x1 -> x1))
                            .problem()
                            .contains("LambdaBlock"));
            String excluded =
                    FloatOps.of(new AvgPool2d(s(3, 3), s(1, 1), s(1, 1), false, false)).problem();
            assertTrue(excluded.contains("countIncludePad"), excluded);
        }
    }

    /**
     * Every kind of Java float op survives the .jq nodes: decoded outputs equal the encoded ones.
     */
    @Test
    void everyFloatOpRoundTripsThroughTheFile() throws Exception {
        Shape in = new Shape(2, 5, 15, 13);
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            SequentialBlock net = everyKind();
            QatTestNets.init(net, pt, in);
            FloatFallback kept =
                    new FloatFallback(
                            net,
                            new io.djlquant.quantization.qparams.QParams[] {null},
                            io.djlquant.quantization.qparams.QParams.perTensor(
                                    io.djlquant.quantization.qparams.QDType.QINT8, 0.02f, 0));
            float[] x = QTests.uniform(3, (int) in.size(), -2f, 2f);
            float[] before = QuantizedModels.realValues(QTests.run(kept, jq, jq.create(x, in)));
            io.djlquant.format.JqGraph g =
                    io.djlquant.format.BlockCodecs.encode(kept, java.util.Map.of());
            QTests.findNode(g.getRoot(), "djlquant.float.Branches");
            QTests.findNode(g.getRoot(), "djlquant.float.Upsample");
            Block decoded = io.djlquant.format.BlockCodecs.decode(g, jq);
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    before, QuantizedModels.realValues(QTests.run(decoded, jq, jq.create(x, in))));
        }
    }

    private static void assertClose(
            String what, NDArray expected, FloatOps.Conversion c, NDArray in) {
        assertNull(c.problem(), what);
        FloatValues got = c.op().apply(List.of(new FloatValues(in.toFloatArray(), in.getShape())));
        assertEquals(expected.getShape(), got.shape(), what);
        assertEquals(expected.getShape(), c.op().outputShape(List.of(in.getShape())), what);
        float[] e = expected.toFloatArray();
        float scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0.1f, what + ": a non-trivial output: " + scale);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], got.data()[i], 1e-4f * scale, what + ": output " + i);
        }
    }

    /**
     * The small residual CNN with its first conv, the whole residual block and the linear in float.
     */
    private static Block[] mixedPrecision(NDManager pt) {
        // the same network whatever ran before in this JVM (the tolerance below was measured on it)
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(1234);
        SequentialBlock net = QatTestNets.smallCnn();
        QatTestNets.init(net, pt, QatTestNets.INPUT);
        QConfigOverrides keep =
                new QConfigOverrides()
                        .forPath("02ConvBnRelu2d", null)
                        .forPath("04Residual", null)
                        .forPath("06PlainLinear", null);
        Block qat = Quantizer.quantizeQat(net, QConfigs.emaFakeQuantPerChannel(), keep);
        QFloatFixture.calibrate(qat, pt, QatTestNets.INPUT, -2f, 2f, 4);
        return new Block[] {qat, Quantizer.quantize(qat)};
    }

    @Test
    void mixedPrecisionModelSavesAndLoadsOnJavaQuant(@TempDir Path dir) throws Exception {
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            Block[] forms = mixedPrecision(pt);
            Block q = forms[1];
            List<FloatFallback> kept = new ArrayList<>();
            collect(q, kept);
            assertEquals(3, kept.size(), "three layers kept in float");
            for (FloatFallback f : kept) {
                assertNotNull(f.getFloatOp(), f.toString());
                assertTrue(f.getChildren().isEmpty(), "the Java form keeps no PyTorch block");
            }
            NDArray x = QTests.input(jq, 5, QatTestNets.INPUT, -2f, 2f);
            float[] onJq = QTests.run(q, jq, x).toFloatArray();
            NDArray xPt = pt.create(x.toFloatArray(), x.getShape());
            float[] qfloat = QTests.run(forms[0], pt, xPt).toFloatArray();
            float step =
                    ((DequantStub) q.getChildren().get(6).getValue()).getInputQParams().scale(0);
            for (int i = 0; i < qfloat.length; i++) {
                // float sums in another order may move a value across a rounding boundary
                assertEquals(qfloat[i], onJq[i], 2.01f * step, "logit " + i);
            }

            JqGraph graph = BlockCodecs.encode(q, Map.of());
            assertEquals(3, count(graph.getRoot(), "djlquant.quantized.FloatFallback"));
            assertEquals(3, count(graph.getRoot(), "djlquant.float.Conv2d"));
            assertEquals(1, count(graph.getRoot(), "djlquant.float.Residual"));
            assertEquals(1, count(graph.getRoot(), "djlquant.float.Linear"));

            Path modelDir = dir.resolve("mixed");
            QuantizedModels.save(q, modelDir.resolve("mixed.jq"), Map.of());
            try (Model model = Model.newInstance("mixed", "JavaQuant")) {
                model.load(modelDir);
                assertEquals(
                        QuantizedEngineTest.describe(q),
                        QuantizedEngineTest.describe(model.getBlock()));
                float[] loaded =
                        QTests.run(
                                        model.getBlock(),
                                        model.getNDManager(),
                                        model.getNDManager().create(x.toFloatArray(), x.getShape()))
                                .toFloatArray();
                assertArrayEquals(onJq, loaded, "the reloaded model must be bit-identical");
            }
        }
    }

    @Test
    void aFallbackWithoutJavaFormRunsButCannotBeSaved(@TempDir Path dir) {
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            SequentialBlock net =
                    new SequentialBlock()
                            .add(new io.djlquant.nn.QuantStub())
                            .add(x -> new NDList(x.head().mul(2f)))
                            .add(new io.djlquant.nn.DequantStub());
            net.initialize(pt, DataType.FLOAT32, new Shape(2, 3));
            Block qat =
                    Quantizer.quantizeQat(
                            net,
                            QConfigs.calibration(),
                            new QConfigOverrides().forPath("02LambdaBlock", null));
            QFloatFixture.calibrate(qat, pt, new Shape(2, 3), -1f, 1f, 2);
            Block q = Quantizer.quantize(qat);
            FloatFallback f = (FloatFallback) q.getChildren().get(1).getValue();
            assertNull(f.getFloatOp());
            assertTrue(f.getNoJavaFormReason().contains("LambdaBlock"), f.getNoJavaFormReason());
            // neither a float block nor float ops: refused by name, not a NullPointerException
            IllegalArgumentException none =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    new FloatFallback(
                                            (io.djlquant.quantized.fallback.FloatOp) null,
                                            new io.djlquant.quantization.qparams.QParams[0],
                                            f.getOutputQParams()));
            assertTrue(none.getMessage().contains("float ops"), none.getMessage());
            // it still runs, on PyTorch
            NDArray x =
                    jq.create(new float[] {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.05f}, new Shape(2, 3));
            float[] y = QTests.run(q, jq, x).toFloatArray();
            assertEquals(0.6f, y[2], 0.05f);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> QuantizedModels.save(q, dir.resolve("m.jq"), Map.of()));
            assertTrue(
                    e.getMessage().contains("cannot be saved")
                            && e.getMessage().contains("LambdaBlock"),
                    e.getMessage());
            assertTrue(!dir.resolve("m.jq").toFile().exists(), "no partial file is left");
        }
    }

    @Test
    void malformedFloatNodesAreRejected() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            Block q = mixedPrecision(pt)[1];
            JqGraph g = BlockCodecs.encode(q, Map.of());
            JqNode conv = QTests.findNode(g.getRoot(), "djlquant.float.Conv2d");
            String weight = name(conv, "weight");

            Map<String, JqTensor> nan = new LinkedHashMap<>(g.getTensors());
            float[] w = nan.get(weight).toFloatArray();
            w[0] = Float.NaN;
            nan.put(weight, JqTensor.of(weight, w, nan.get(weight).getShape()));
            expectMalformed(new JqGraph(g.getRoot(), nan, Map.of()), "NaN");

            Map<String, JqTensor> flat = new LinkedHashMap<>(g.getTensors());
            flat.put(weight, JqTensor.of(weight, w, new Shape(w.length)));
            expectMalformed(new JqGraph(g.getRoot(), flat, Map.of()), "rank-4");

            Map<String, JqTensor> bias = new LinkedHashMap<>(g.getTensors());
            String b = name(conv, "bias");
            bias.put(b, JqTensor.of(b, new float[] {1f}, new Shape(1)));
            expectMalformed(new JqGraph(g.getRoot(), bias, Map.of()), "bias");

            conv.put("groups", 5);
            expectMalformed(g, "groups");
            conv.put("groups", 1);
            QTests.findNode(g.getRoot(), "djlquant.float.Join").put("mode", "MEDIAN");
            expectMalformed(g, "MEDIAN");
        }
    }

    private static String name(JqNode node, String key) {
        try {
            return node.getTensorName(key);
        } catch (MalformedModelException e) {
            throw new AssertionError(e);
        }
    }

    private static void expectMalformed(JqGraph g, String part) {
        try (NDManager m = QTests.jq()) {
            MalformedModelException e =
                    assertThrows(MalformedModelException.class, () -> BlockCodecs.decode(g, m));
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
    }

    private static void collect(Block b, List<FloatFallback> out) {
        if (b instanceof FloatFallback) {
            out.add((FloatFallback) b);
        }
        b.getChildren().values().forEach(c -> collect(c, out));
    }

    private static int count(JqNode root, String type) {
        int n = root.getType().equals(type) ? 1 : 0;
        for (JqNode c : root.getChildren()) {
            n += count(c, type);
        }
        return n;
    }
}
