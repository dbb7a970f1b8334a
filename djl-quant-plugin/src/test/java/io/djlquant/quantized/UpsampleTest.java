package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import io.djlquant.format.BlockCodecs;
import io.djlquant.format.JqGraph;
import io.djlquant.format.JqNode;
import io.djlquant.nn.Branches;
import io.djlquant.nn.FuseResult;
import io.djlquant.nn.Fuser;
import io.djlquant.nn.Identity;
import io.djlquant.nn.MaxPool2d;
import io.djlquant.nn.Upsample;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.QuantizedConverter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nearest-neighbour upsampling: the int8 form copies integers (a U-Net-style skip joined by
 * concatenation agrees with QFloat), the .jq node checks its factor, and the Fuser recognises a DJL
 * lambda that repeats pixels.
 */
class UpsampleTest {

    private static final Shape IN = new Shape(2, 3, 8, 8);

    @Test
    void skipConnectionWithUpsamplingAgreesWithQFloat() throws MalformedModelException {
        io.djlquant.nn.FusedConv2d head =
                (io.djlquant.nn.FusedConv2d)
                        io.djlquant.nn.ConvBnRelu2d.builder()
                                .setKernelShape(new Shape(3, 3))
                                .setFilters(4)
                                .optPadding(new Shape(1, 1))
                                .build();
        io.djlquant.nn.FusedConv2d deep =
                (io.djlquant.nn.FusedConv2d)
                        io.djlquant.nn.ConvBn2d.builder()
                                .setKernelShape(new Shape(3, 3))
                                .setFilters(5)
                                .optPadding(new Shape(1, 1))
                                .build();
        Branches skip =
                new Branches(
                        List.of(
                                new Identity(),
                                new SequentialBlock()
                                        .add(
                                                new MaxPool2d(
                                                        new Shape(2, 2),
                                                        new Shape(2, 2),
                                                        new Shape(0, 0)))
                                        .add(deep)
                                        .add(new Upsample(2))));
        SequentialBlock net = QFloatFixture.wrap(head, skip);
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            Block qat = QFloatFixture.qfloat(net, QConfigs.calibration(), pt, IN, -2f, 2f);
            Block q = QuantizedConverter.quantize(qat);
            float[] x = QTests.uniform(11, (int) IN.size(), -2f, 2f);
            float[] yf = QTests.run(qat, pt, pt.create(x, IN)).toFloatArray();
            NDArray out = QTests.run(q, jq, jq.create(x, IN));
            assertEquals(new Shape(2, 9, 8, 8), out.getShape());
            float[] yq = out.toFloatArray();
            float step =
                    ((io.djlquant.quantized.Branches) q.getChildren().get(2).getValue())
                            .getJoin()
                            .getOutputQParams()
                            .scale(0);
            for (int i = 0; i < yf.length; i++) {
                assertTrue(
                        Math.abs(yf[i] - yq[i]) <= step * 1.0001f,
                        i + ": " + yf[i] + " vs " + yq[i]);
            }
            // the upsampled half: every 2x2 block holds one value
            for (int c = 4; c < 9; c++) {
                for (int r = 0; r < 8; r += 2) {
                    for (int col = 0; col < 8; col += 2) {
                        int at = (c * 8 + r) * 8 + col;
                        assertEquals(yq[at], yq[at + 1]);
                        assertEquals(yq[at], yq[at + 8]);
                        assertEquals(yq[at], yq[at + 9]);
                    }
                }
            }

            JqGraph g = BlockCodecs.encode(q, Map.of());
            Block decoded = BlockCodecs.decode(g, jq);
            assertArrayEquals(yq, QTests.run(decoded, jq, jq.create(x, IN)).toFloatArray());
            JqNode node = QTests.findNode(g.getRoot(), "djlquant.quantized.Upsample");
            node.put("scale", 4096);
            MalformedModelException e =
                    assertThrows(MalformedModelException.class, () -> BlockCodecs.decode(g, jq));
            assertTrue(e.getMessage().contains("upsampling factor"), e.getMessage());
        }
    }

    @Test
    void fuserRecognisesARepeatingLambda() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock djl =
                    new SequentialBlock()
                            .add(LambdaBlock.singleton(x -> x.repeat(2, 2).repeat(3, 2), "up2"));
            djl.initialize(pt, DataType.FLOAT32, IN);
            FuseResult r = Fuser.fuseWithReport(djl, pt, IN);
            assertTrue(r.getReport().isComplete(), r.getReport().toString());
            Block fused = r.getBlock();
            Block up = fused instanceof Upsample ? fused : fused.getChildren().get(0).getValue();
            assertEquals(2, assertInstanceOf(Upsample.class, up).getScale());
        }
        assertThrows(IllegalArgumentException.class, () -> new Upsample(1));
    }
}
