package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import io.djlquant.format.BlockCodecs;
import io.djlquant.format.JqGraph;
import io.djlquant.format.JqNode;
import io.djlquant.nn.FuseResult;
import io.djlquant.nn.Fuser;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.QuantizedConverter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ReLU6 (MobileNetV2's activation) fused into the convolutions: float, QFloat and int8 forms, the
 * .jq node, the float block's parameter file, and the Fuser telling it apart from ReLU.
 */
class Relu6Test {

    private static final Shape IN = new Shape(2, 6, 9, 9);

    private static io.djlquant.nn.ConvBnRelu2d convBnRelu(boolean relu6) {
        return (io.djlquant.nn.ConvBnRelu2d)
                io.djlquant.nn.ConvBnRelu2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .setFilters(8)
                        .optPadding(new Shape(1, 1))
                        .optRelu6(relu6)
                        .build();
    }

    @Test
    void qfloatAndInt8AgreeWhereTheCapBites() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            // activation scale 0.1 (QINT8, range +-12.7): the cap at 6 (q = 60) lies inside the
            // range
            SequentialBlock floatNet = QFloatFixture.wrap(convBnRelu(true));
            Block qat =
                    QFloatFixture.qfloat(
                            floatNet, QConfigs.passive(0.01f, 0.1f), pt, IN, -10f, 10f);
            Block q = QuantizedConverter.quantize(qat);
            ConvBnRelu2d conv = (ConvBnRelu2d) q.getChildren().get(1).getValue();
            assertTrue(conv.hasRelu6(), conv.toString());
            float[] x = QTests.uniform(5, (int) IN.size(), -10f, 10f);
            float[] yf = QTests.run(qat, pt, pt.create(x, IN)).toFloatArray();
            float[] yq = QTests.run(q, jq, jq.create(x, IN)).toFloatArray();
            int capped = 0;
            double max = 0;
            for (int i = 0; i < yf.length; i++) {
                max = Math.max(max, Math.abs(yf[i] - yq[i]) / 0.1f);
                capped += yq[i] == 6f ? 1 : 0;
                assertTrue(
                        yq[i] <= 6f && yf[i] <= 6f,
                        "output " + i + " above 6: " + yq[i] + " / " + yf[i]);
            }
            assertTrue(
                    capped > yq.length / 20, "the cap must bite: " + capped + " of " + yq.length);
            assertTrue(max <= 1.0001, "max |Q - QFloat| " + max + " steps");

            // the .jq node carries the flag, and the decoded block keeps it
            JqGraph g = BlockCodecs.encode(q, Map.of());
            JqNode node = QTests.findNode(g.getRoot(), "djlquant.quantized.ConvBnRelu2d");
            assertTrue(node.getBoolean("relu6"));
            Block decoded = BlockCodecs.decode(g, jq);
            assertTrue(((ConvBnRelu2d) decoded.getChildren().get(1).getValue()).hasRelu6());
            float[] again = QTests.run(decoded, jq, jq.create(x, IN)).toFloatArray();
            org.junit.jupiter.api.Assertions.assertArrayEquals(yq, again);
        } catch (MalformedModelException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void relu6OnAConvolutionWithoutReluIsRefused() throws Exception {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                io.djlquant.nn.ConvBn2d.builder()
                                        .setKernelShape(new Shape(1, 1))
                                        .setFilters(2)
                                        .optRelu6(true)
                                        .build());
        assertTrue(e.getMessage().contains("ReLU6"), e.getMessage());
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            Block qat =
                    QFloatFixture.qfloat(
                            QFloatFixture.wrap(
                                    io.djlquant.nn.ConvBn2d.builder()
                                            .setKernelShape(new Shape(1, 1))
                                            .setFilters(2)
                                            .build()),
                            QConfigs.minMaxFakeQuant(),
                            pt,
                            IN,
                            -1f,
                            1f);
            JqGraph g = BlockCodecs.encode(QuantizedConverter.quantize(qat), Map.of());
            QTests.findNode(g.getRoot(), "djlquant.quantized.ConvBn2d").put("relu6", true);
            MalformedModelException m =
                    assertThrows(MalformedModelException.class, () -> BlockCodecs.decode(g, jq));
            assertTrue(m.getMessage().contains("relu6"), m.getMessage());
        }
    }

    @Test
    void floatBlockSavesItsFlagAndRefusesAPlainFile() throws Exception {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            io.djlquant.nn.ConvBnRelu2d six = convBnRelu(true);
            QFloatFixture.randomInit(six);
            six.initialize(pt, DataType.FLOAT32, IN);
            NDArray x = pt.randomUniform(-20f, 20f, IN);
            NDArray y = six.forward(new ParameterStore(pt, false), new NDList(x), false).head();
            assertEquals(6f, y.max().getFloat(), 0f, "capped at 6");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            six.saveParameters(new DataOutputStream(bytes));

            io.djlquant.nn.ConvBnRelu2d again = convBnRelu(true);
            again.loadParameters(
                    pt, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            NDArray y2 = again.forward(new ParameterStore(pt, false), new NDList(x), false).head();
            assertEquals(0f, y.sub(y2).abs().max().getFloat(), 0f);

            io.djlquant.nn.ConvBnRelu2d plain = convBnRelu(false);
            MalformedModelException e =
                    assertThrows(
                            MalformedModelException.class,
                            () ->
                                    plain.loadParameters(
                                            pt,
                                            new DataInputStream(
                                                    new ByteArrayInputStream(
                                                            bytes.toByteArray()))));
            assertTrue(e.getMessage().contains("version"), e.getMessage());
        }
    }

    @Test
    void fuserTellsRelu6FromRelu() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock djl =
                    new SequentialBlock()
                            .add(
                                    Conv2d.builder()
                                            .setKernelShape(new Shape(3, 3))
                                            .setFilters(8)
                                            .optPadding(new Shape(1, 1))
                                            .build())
                            .add(BatchNorm.builder().build())
                            .add(Activation.relu6Block())
                            .add(
                                    Conv2d.builder()
                                            .setKernelShape(new Shape(1, 1))
                                            .setFilters(4)
                                            .build())
                            .add(BatchNorm.builder().build())
                            .add(Activation.reluBlock());
            QFloatFixture.randomInit(djl);
            djl.initialize(pt, DataType.FLOAT32, IN);
            FuseResult r = Fuser.fuseWithReport(djl, pt, IN);
            assertTrue(r.getReport().isComplete(), r.getReport().toString());
            var kids = r.getBlock().getChildren().values();
            assertTrue(((io.djlquant.nn.FusedConv2d) kids.get(0)).hasRelu6());
            assertFalse(((io.djlquant.nn.FusedConv2d) kids.get(1)).hasRelu6());
            assertTrue(r.getReport().getMaxAbsDiff() < 1e-4, r.getReport().toString());

            // a ReLU6 not after a convolution has no int8 form: kept, and named
            SequentialBlock alone = new SequentialBlock().add(Activation.relu6Block());
            alone.initialize(pt, DataType.FLOAT32, IN);
            FuseResult k = Fuser.fuseWithReport(alone, pt, IN);
            assertFalse(k.getReport().isComplete());
            assertTrue(
                    String.join(";", k.getReport().getKept()).contains("relu6"),
                    k.getReport().toString());
        }
    }
}
