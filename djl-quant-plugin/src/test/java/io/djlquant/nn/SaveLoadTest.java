package io.djlquant.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parameter save/load round trips through DJL's saveParameters/loadParameters. */
class SaveLoadTest {

    private static NDManager manager;
    private static final Shape IN = new Shape(2, 3, 8, 8);

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /** A small network using every block kind of the package. */
    private static Block network(float eps) {
        return new SequentialBlock()
                .add(new QuantStub())
                .add(
                        ConvBnRelu2d.builder()
                                .setKernelShape(new Shape(3, 3))
                                .setFilters(4)
                                .optPadding(new Shape(1, 1))
                                .optEpsilon(eps)
                                .build())
                .add(
                        new Residual(
                                ConvBn2d.builder()
                                        .setKernelShape(new Shape(1, 1))
                                        .setFilters(4)
                                        .build(),
                                new Identity(),
                                new ElementWise(ElementWise.Mode.ADD_RELU)))
                .add(ConvRelu2d.builder().setKernelShape(new Shape(3, 3)).setFilters(4).build())
                .add(PlainConv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(4).build())
                .add(new MaxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)))
                .add(new AvgPool2d(new Shape(1, 1), new Shape(1, 1), new Shape(0, 0)))
                .add(new Flatten())
                .add(LinearBnRelu1d.builder().setUnits(6).build())
                .add(LinearBn1d.builder().setUnits(6).build())
                .add(LinearRelu.builder().setUnits(5).build())
                .add(new Relu())
                .add(PlainLinear.builder().setUnits(3).build())
                .add(new DequantStub());
    }

    private static byte[] save(Block b) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (DataOutputStream os = new DataOutputStream(bos)) {
            b.saveParameters(os);
        }
        return bos.toByteArray();
    }

    private static void load(Block b, byte[] bytes) throws IOException, MalformedModelException {
        b.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes)));
    }

    @Test
    void roundTripRestoresOutputs() throws Exception {
        Block a = network(1e-5f);
        TestSupport.randomInit(a);
        a.initialize(manager, DataType.FLOAT32, IN);
        byte[] bytes = save(a);

        Block b = network(1e-5f);
        load(b, bytes);
        b.initialize(manager, DataType.FLOAT32, IN);
        NDArray x = manager.randomNormal(IN);
        ParameterStore ps = new ParameterStore(manager, false);
        NDArray ya = a.forward(ps, new NDList(x), false).head();
        NDArray yb = b.forward(ps, new NDList(x), false).head();
        assertEquals(new Shape(2, 3), ya.getShape());
        assertEquals(0f, TestSupport.maxDiff(ya, yb));
    }

    @Test
    void wrongVersionIsRejected() throws Exception {
        Supplier<ConvBnRelu2d> make =
                () -> ConvBnRelu2d.builder().setKernelShape(new Shape(1, 1)).setFilters(2).build();
        ConvBnRelu2d a = make.get();
        a.initialize(manager, DataType.FLOAT32, IN);
        byte[] bytes = save(a);
        assertEquals(ConvBnRelu2d.VERSION, bytes[0], "the block's version byte comes first");
        bytes[0] = 42;
        MalformedModelException e =
                assertThrows(MalformedModelException.class, () -> load(make.get(), bytes));
        assertTrue(
                e.getMessage().contains("ConvBnRelu2d") && e.getMessage().contains("42"),
                e.getMessage());

        for (Block glue : new Block[] {new Identity(), new GlobalAvgPool2d()}) {
            glue.initialize(manager, DataType.FLOAT32, IN);
            byte[] g = save(glue);
            g[0] = 9;
            assertThrows(MalformedModelException.class, () -> load(glue, g), glue.toString());
        }
    }

    @Test
    void mismatchedConfigIsRejected() throws Exception {
        Block a = network(1e-5f);
        a.initialize(manager, DataType.FLOAT32, IN);
        byte[] bytes = save(a);
        MalformedModelException e =
                assertThrows(MalformedModelException.class, () -> load(network(1e-3f), bytes));
        assertTrue(e.getMessage().contains("epsilon"), e.getMessage());

        Block saved = new MaxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0));
        IllegalStateException notInit =
                assertThrows(IllegalStateException.class, () -> save(saved));
        assertTrue(notInit.getMessage().contains("MaxPool2d"), notInit.getMessage());
        saved.initialize(manager, DataType.FLOAT32, IN);
        byte[] pool = save(saved);
        assertThrows(
                MalformedModelException.class,
                () -> load(new MaxPool2d(new Shape(3, 3), new Shape(2, 2), new Shape(0, 0)), pool));
        Block add = new ElementWise(ElementWise.Mode.ADD);
        add.initialize(manager, DataType.FLOAT32, IN, IN);
        byte[] join = save(add);
        join[0] = 7;
        assertThrows(
                MalformedModelException.class,
                () -> load(new ElementWise(ElementWise.Mode.ADD), join));
        join[0] = ElementWise.VERSION;
        assertThrows(
                MalformedModelException.class,
                () -> load(new ElementWise(ElementWise.Mode.MUL), join));
    }
}
