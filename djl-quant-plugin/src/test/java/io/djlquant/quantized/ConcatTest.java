package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import io.djlquant.format.BlockCodecs;
import io.djlquant.format.JqGraph;
import io.djlquant.format.JqNode;
import io.djlquant.nn.Branches;
import io.djlquant.nn.FuseResult;
import io.djlquant.nn.Fuser;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.QuantizedConverter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Channel concatenation (inception / fire modules) in its three forms: branches with different
 * output ranges joined into one grid, the int8 join against QFloat, the .jq nodes, and the Fuser
 * turning a DJL ParallelBlock with a concatenating join into {@link Branches}.
 */
class ConcatTest {

    private static final Shape IN = new Shape(2, 4, 9, 9);

    private static io.djlquant.nn.FusedConv2d conv(int filters, int kernel, boolean relu) {
        var b = relu ? io.djlquant.nn.ConvBnRelu2d.builder() : io.djlquant.nn.ConvBn2d.builder();
        return (io.djlquant.nn.FusedConv2d)
                b.setKernelShape(new Shape(kernel, kernel))
                        .setFilters(filters)
                        .optPadding(new Shape(kernel / 2, kernel / 2))
                        .build();
    }

    /** Three branches with different ranges (a ReLU one, a signed one, a two-layer one). */
    private static SequentialBlock inception() {
        Branches module =
                new Branches(
                        List.of(
                                conv(3, 1, true),
                                conv(5, 3, false),
                                new SequentialBlock().add(conv(2, 1, true)).add(conv(4, 3, true))));
        return QFloatFixture.wrap(conv(6, 3, true), module, conv(5, 1, false));
    }

    @Test
    void int8JoinAgreesWithQFloatAndSurvivesTheFile() throws MalformedModelException {
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            Block qat = QFloatFixture.qfloat(inception(), QConfigs.calibration(), pt, IN, -3f, 3f);
            Block q = QuantizedConverter.quantize(qat);
            io.djlquant.quantized.Branches qb =
                    assertInstanceOf(
                            io.djlquant.quantized.Branches.class,
                            q.getChildren().get(2).getValue());
            long grids = java.util.Arrays.stream(qb.getJoin().getInputQParams()).distinct().count();
            assertTrue(
                    grids >= 2,
                    "branches should reach the join with their own grids: " + qb.getJoin());

            float[] x = QTests.uniform(7, (int) IN.size(), -3f, 3f);
            float[] yf = QTests.run(qat, pt, pt.create(x, IN)).toFloatArray();
            float[] yq = QTests.run(q, jq, jq.create(x, IN)).toFloatArray();
            float step = lastOutputScale(q);
            double worst = 0;
            for (int i = 0; i < yf.length; i++) {
                worst = Math.max(worst, Math.abs(yf[i] - yq[i]) / step);
            }
            // the join requantizes exactly as the fake quant does; the last conv may round
            // differently by 1
            assertTrue(worst <= 1.0001, "max |Q - QFloat| " + worst + " output steps");

            JqGraph g = BlockCodecs.encode(q, Map.of());
            JqNode concat = QTests.findNode(g.getRoot(), "djlquant.quantized.Concat");
            assertEquals(3, concat.getInt("inputs"));
            Block decoded = BlockCodecs.decode(g, jq);
            assertArrayEquals(yq, QTests.run(decoded, jq, jq.create(x, IN)).toFloatArray());

            // a count that the node cannot back is refused before anything is allocated
            concat.put("inputs", Integer.MAX_VALUE);
            MalformedModelException e =
                    assertThrows(MalformedModelException.class, () -> BlockCodecs.decode(g, jq));
            assertTrue(e.getMessage().contains("input count"), e.getMessage());
            concat.put("inputs", 2);
            e = assertThrows(MalformedModelException.class, () -> BlockCodecs.decode(g, jq));
            assertTrue(
                    e.getMessage().contains("join takes 2 inputs but there are 3 branches"),
                    e.getMessage());
        }
    }

    @Test
    void mismatchedBranchShapesAreRefusedByName() {
        Branches bad =
                new Branches(
                        List.of(
                                conv(3, 1, true),
                                new SequentialBlock()
                                        .add(conv(3, 3, true))
                                        .add(
                                                new io.djlquant.nn.MaxPool2d(
                                                        new Shape(2, 2),
                                                        new Shape(2, 2),
                                                        new Shape(0, 0),
                                                        false))));
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> bad.initialize(pt, DataType.FLOAT32, IN));
            assertTrue(e.getMessage().contains("differ on axis 2"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new Branches(List.of(conv(3, 1, true))));
    }

    @Test
    void fuserTurnsAConcatenatingParallelBlockIntoBranches() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            // as DJL's GoogLeNet builds an inception module: raw Conv2d + relu lambdas, a pool
            // branch
            ParallelBlock djlInception =
                    new ParallelBlock(
                            list ->
                                    new NDList(
                                            NDArrays.concat(
                                                    new NDList(
                                                            list.stream()
                                                                    .map(NDList::head)
                                                                    .toArray(
                                                                            ai.djl.ndarray.NDArray[]
                                                                                    ::new)),
                                                    1)),
                            List.of(
                                    new SequentialBlock()
                                            .add(
                                                    Conv2d.builder()
                                                            .setKernelShape(new Shape(1, 1))
                                                            .setFilters(3)
                                                            .build())
                                            .add(Activation.reluBlock()),
                                    new SequentialBlock()
                                            .add(
                                                    Conv2d.builder()
                                                            .setKernelShape(new Shape(3, 3))
                                                            .setFilters(5)
                                                            .optPadding(new Shape(1, 1))
                                                            .build())
                                            .add(Activation.reluBlock()),
                                    new SequentialBlock()
                                            .add(
                                                    Pool.maxPool2dBlock(
                                                            new Shape(3, 3),
                                                            new Shape(1, 1),
                                                            new Shape(1, 1)))
                                            .add(
                                                    Conv2d.builder()
                                                            .setKernelShape(new Shape(1, 1))
                                                            .setFilters(2)
                                                            .build())
                                            .add(Activation.reluBlock())));
            SequentialBlock djl = new SequentialBlock().add(djlInception);
            QFloatFixture.randomInit(djl);
            djl.initialize(pt, DataType.FLOAT32, IN);
            FuseResult r = Fuser.fuseWithReport(djl, pt, IN);
            assertTrue(r.getReport().isComplete(), r.getReport().toString());
            assertTrue(r.getReport().getMaxAbsDiff() < 1e-5, r.getReport().toString());
            Block fused = r.getBlock();
            Branches b =
                    assertInstanceOf(
                            Branches.class,
                            fused instanceof Branches
                                    ? fused
                                    : fused.getChildren().get(0).getValue());
            assertEquals(3, b.getBranches().size());
            assertEquals(new Shape(2, 10, 9, 9), fused.getOutputShapes(new Shape[] {IN})[0]);
        }
    }

    /** What one int8 step of the tree's output is worth: the last convolution's output scale. */
    private static float lastOutputScale(Block q) {
        List<Block> kids = q.getChildren().values();
        return ((QuantizedConv2d) kids.get(kids.size() - 2)).getOutputQParams().scale(0);
    }
}
