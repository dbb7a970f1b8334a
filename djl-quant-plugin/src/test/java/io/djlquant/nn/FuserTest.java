package io.djlquant.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Fuser on DJL's ResNet and on hand-built trees. */
class FuserTest {

    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private static NDArray infer(Block b, NDArray x) {
        return b.forward(new ParameterStore(manager, false), new NDList(x), false).head();
    }

    /** Counts block classes in the fused tree; fails on a DJL layer outside our fused blocks. */
    private static void census(Block b, Map<String, Integer> counts) {
        counts.merge(b.getClass().getSimpleName(), 1, Integer::sum);
        if (b instanceof FusedConv2d || b instanceof FusedLinear) {
            return; // their DJL children are the intended implementation
        }
        assertFalse(
                b instanceof Conv2d
                        || b instanceof BatchNorm
                        || b instanceof Linear
                        || b instanceof LambdaBlock
                        || b instanceof ParallelBlock,
                "unfused DJL block left: " + b.getClass().getName());
        for (Pair<String, Block> c : b.getChildren()) {
            census(c.getValue(), counts);
        }
    }

    private static Map<String, Integer> fuseAndCompare(Block model, Shape inputShape) {
        TestSupport.randomInit(model);
        model.initialize(manager, DataType.FLOAT32, inputShape);
        FuseResult r = Fuser.fuseWithReport(model, manager, inputShape);
        assertTrue(r.getReport().isComplete(), r.getReport().toString());
        assertTrue(r.getReport().getMaxAbsDiff() < 1e-5, r.getReport().toString());

        NDArray x = manager.randomNormal(inputShape);
        NDArray expected = infer(model, x);
        NDArray actual = infer(r.getBlock(), x);
        float scale = expected.abs().max().getFloat();
        assertTrue(scale > 1e-3f && scale < 1e3f, "model output scale is sane: " + scale);
        assertTrue(TestSupport.maxDiff(expected, actual) < 1e-5f, "fused output differs");

        Map<String, Integer> counts = new HashMap<>();
        census(r.getBlock(), counts);
        return counts;
    }

    @Test
    void resnet18Cifar() {
        Block model =
                ResNetV1.builder()
                        .setImageShape(new Shape(3, 32, 32))
                        .setNumLayers(18)
                        .setOutSize(10)
                        .build();
        Map<String, Integer> c = fuseAndCompare(model, new Shape(1, 3, 32, 32));
        // DJL 0.36 builds 18 layers from 8 bottleneck units (1x1, 3x3 with eps 2e-5, 1x1); the
        // first unit of each stage projects the shortcut; the 32x32 stem is a bare conv
        assertEquals(8, c.get("Residual"));
        assertEquals(16, c.get("ConvBnRelu2d"));
        assertEquals(8 + 4, c.get("ConvBn2d"));
        assertEquals(4, c.get("Identity"));
        assertEquals(8, c.get("ElementWise"));
        assertEquals(1, c.get("PlainConv2d"));
        assertEquals(1, c.get("PlainLinear"));
        assertEquals(1, c.get("GlobalAvgPool2d"));
        assertEquals(2, c.get("Flatten"));
    }

    @Test
    void resnet18ImageNetStem() {
        Block model =
                ResNetV1.builder()
                        .setImageShape(new Shape(3, 64, 64))
                        .setNumLayers(18)
                        .setOutSize(10)
                        .build();
        Map<String, Integer> c = fuseAndCompare(model, new Shape(1, 3, 64, 64));
        assertEquals(17, c.get("ConvBnRelu2d"), "stem conv 7x7 + bn + relu fused");
        assertEquals(1, c.get("MaxPool2d"));
        assertEquals(null, c.get("PlainConv2d"));
    }

    @Test
    void residualJoinsAndUnknownLambdas() {
        // a hand-built tree: an a+b residual, a mul join, and a lambda we cannot name
        SequentialBlock model = new SequentialBlock();
        QuantStub stub = new QuantStub();
        model.add(stub);
        model.add(
                Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .setFilters(4)
                        .optPadding(new Shape(1, 1))
                        .build());
        model.add(Activation.reluBlock());
        model.add(
                new ParallelBlock(
                        l -> new NDList(l.get(0).head().add(l.get(1).head())),
                        Arrays.asList(
                                new SequentialBlock()
                                        .add(
                                                Conv2d.builder()
                                                        .setKernelShape(new Shape(1, 1))
                                                        .setFilters(4)
                                                        .optBias(false)
                                                        .build())
                                        .add(BatchNorm.builder().optEpsilon(1e-3f).build()),
                                new SequentialBlock().add(x -> x))));
        model.add(
                new ParallelBlock(
                        l -> new NDList(l.get(0).head().mul(l.get(1).head())),
                        Arrays.asList(
                                Activation.reluBlock(),
                                Pool.avgPool2dBlock(
                                        new Shape(3, 3), new Shape(1, 1), new Shape(1, 1)))));
        // a - b: neither add, mul nor a channel concatenation (those are converted)
        ParallelBlock concat =
                new ParallelBlock(
                        l -> new NDList(l.get(0).head().sub(l.get(1).head())),
                        Arrays.asList(Blocks.identityBlock(), Activation.reluBlock()));
        model.add(concat);
        LambdaBlock odd = LambdaBlock.singleton(x -> x.mul(2).add(1), "affine");
        model.add(odd);
        model.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        Shape in = new Shape(2, 3, 8, 8);
        TestSupport.randomInit(model);
        model.initialize(manager, DataType.FLOAT32, in);

        FuseResult r = Fuser.fuseWithReport(model, manager, in);
        Block fused = r.getBlock();
        List<String> kept = r.getReport().getKept();
        assertEquals(2, kept.size(), kept.toString());
        assertTrue(kept.get(0).contains("ParallelBlock join not recognised"), kept.toString());
        assertTrue(kept.get(1).contains("affine"), kept.toString());
        assertTrue(r.getReport().getMaxAbsDiff() < 1e-5);

        List<Block> top = fused.getChildren().values();
        assertSame(stub, top.get(0), "a parameter-free djl-quant block is reused");
        top = top.subList(1, top.size());
        assertTrue(top.get(0) instanceof ConvRelu2d, top.toString());
        Residual add = (Residual) top.get(1);
        assertEquals(ElementWise.Mode.ADD, add.getJoin().getMode());
        assertTrue(add.getMain() instanceof ConvBn2d);
        assertEquals(1e-3f, ((ConvBn2d) add.getMain()).getEpsilon());
        assertTrue(add.getShortcut() instanceof Identity, add.getShortcut().toString());
        Residual mul = (Residual) top.get(2);
        assertEquals(ElementWise.Mode.MUL, mul.getJoin().getMode());
        assertTrue(mul.getMain() instanceof Relu);
        assertTrue(mul.getShortcut() instanceof AvgPool2d);
        assertSame(concat, top.get(3), "unrecognised join is kept as it is");
        assertSame(odd, top.get(4), "unrecognised lambda is kept as it is");
        MaxPool2d pool = (MaxPool2d) top.get(5);
        assertEquals(new Shape(2, 2), pool.getKernelShape());
        assertEquals(new Shape(0, 0), pool.getPadding());

        NDArray x = manager.randomNormal(in);
        NDArray before = infer(fused, x);
        assertTrue(TestSupport.maxDiff(infer(model, x), before) < 1e-5f);

        // the fused tree owns copies: changing the original leaves it untouched
        model.getChildren()
                .get(1)
                .getValue()
                .getDirectParameters()
                .get("weight")
                .getArray()
                .muli(0);
        assertEquals(0f, TestSupport.maxDiff(infer(fused, x), before));
    }

    @Test
    void rejectsUninitializedModel() {
        SequentialBlock model = new SequentialBlock().add(Linear.builder().setUnits(2).build());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Fuser.fuse(model, manager, new Shape(1, 3)));
        assertTrue(e.getMessage().contains("initialized"), e.getMessage());
    }
}
