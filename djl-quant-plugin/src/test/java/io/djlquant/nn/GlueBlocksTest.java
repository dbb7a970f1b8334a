package io.djlquant.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Glue blocks and ElementWise against the DJL functions they stand for, and bad input. */
class GlueBlocksTest {

    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private static NDArray run(Block b, NDArray... xs) {
        Shape[] shapes = new Shape[xs.length];
        for (int i = 0; i < xs.length; i++) {
            shapes[i] = xs[i].getShape();
        }
        b.initialize(manager, DataType.FLOAT32, shapes);
        NDArray y = b.forward(new ParameterStore(manager, false), new NDList(xs), false).head();
        assertEquals(b.getOutputShapes(shapes)[0], y.getShape(), "declared output shape of " + b);
        return y;
    }

    @Test
    void glueBlocksMatchDjl() {
        NDArray x = manager.randomNormal(new Shape(2, 3, 11, 10));
        List<Block[]> pairs =
                List.of(
                        new Block[] {
                            new MaxPool2d(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)),
                            Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1))
                        },
                        new Block[] {
                            new MaxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), true),
                            Pool.maxPool2dBlock(
                                    new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), true)
                        },
                        new Block[] {
                            new AvgPool2d(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)),
                            Pool.avgPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1))
                        },
                        new Block[] {
                            new AvgPool2d(
                                    new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), true, false),
                            Pool.avgPool2dBlock(
                                    new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), true, false)
                        },
                        new Block[] {new GlobalAvgPool2d(), Pool.globalAvgPool2dBlock()},
                        new Block[] {new Flatten(), Blocks.batchFlattenBlock()},
                        new Block[] {new Relu(), Activation.reluBlock()},
                        new Block[] {new Identity(), Blocks.identityBlock()},
                        new Block[] {new QuantStub(), Blocks.identityBlock()},
                        new Block[] {new DequantStub(), Blocks.identityBlock()});
        for (Block[] p : pairs) {
            NDArray ours = run(p[0], x);
            NDArray djl =
                    p[1].forward(new ParameterStore(manager, false), new NDList(x), false).head();
            assertTrue(TestSupport.maxDiff(ours, djl) == 0f, p[0].toString());
        }
        assertEquals(new Shape(2, 3), run(new GlobalAvgPool2d(), x).getShape(), "DJL drops H, W");
    }

    @Test
    void elementWiseModes() {
        NDArray a = manager.randomNormal(new Shape(2, 3, 4, 4));
        NDArray b = manager.randomNormal(new Shape(2, 3, 4, 4));
        NDArray c = manager.randomNormal(new Shape(3, 1, 1));
        assertEquals(
                0f,
                TestSupport.maxDiff(run(new ElementWise(ElementWise.Mode.ADD), a, b), a.add(b)));
        assertEquals(
                0f,
                TestSupport.maxDiff(run(new ElementWise(ElementWise.Mode.MUL), a, b), a.mul(b)));
        NDArray r = run(new ElementWise(ElementWise.Mode.ADD_RELU), a, c);
        assertEquals(0f, TestSupport.maxDiff(r, a.add(c).maximum(0f)));
    }

    @Test
    void elementWiseRejectsBadInput() {
        ElementWise e = new ElementWise(ElementWise.Mode.ADD);
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray a = manager.ones(new Shape(2, 3));
        for (NDList bad : List.of(new NDList(a), new NDList(a, a, a))) {
            IllegalArgumentException ex =
                    assertThrows(IllegalArgumentException.class, () -> e.forward(ps, bad, false));
            assertTrue(ex.getMessage().contains("ElementWise(ADD)"), ex.getMessage());
            assertTrue(ex.getMessage().contains("2 input arrays"), ex.getMessage());
        }
        NDList mismatch = new NDList(a, manager.ones(new Shape(4, 5)));
        IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> e.forward(ps, mismatch, false));
        assertTrue(
                ex.getMessage().contains("ElementWise(ADD)")
                        && ex.getMessage().contains("broadcast"),
                ex.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> e.getOutputShapes(new Shape[] {new Shape(2, 3), new Shape(3, 2)}));
        assertThrows(IllegalArgumentException.class, () -> new ElementWise(null));
    }

    @Test
    void poolRejectsBadConfigAndRank() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new MaxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(2, 2)));
        IllegalArgumentException ex =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new GlobalAvgPool2d().getOutputShapes(new Shape[] {new Shape(2, 3)}));
        assertTrue(ex.getMessage().contains("GlobalAvgPool2d"), ex.getMessage());
    }
}
