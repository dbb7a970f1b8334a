package io.djlquant.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.djlquant.engine.JqNDArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockCodecsTest {

    private NDManager manager;

    @BeforeAll
    static void registerTestCodecs() {
        TestCodecs.register();
    }

    @BeforeEach
    void setUp() {
        manager = Engine.getEngine("JavaQuant").newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private SequentialBlock sampleBlock() {
        SequentialBlock inner = new SequentialBlock();
        inner.add(new ScaleTestBlock(-0.5f));
        inner.setReturnIntermediate(false);
        return new SequentialBlock()
                .add(
                        new AffineTestBlock(
                                manager.create(new float[] {1f, 2f, 3f}),
                                manager.create(new float[] {0.5f, 0f, -1f})))
                .add(inner)
                .add(new ScaleTestBlock(4f));
    }

    private static float[] run(Block block, NDManager manager, float[] x) {
        NDList out =
                block.forward(
                        new ParameterStore(manager, false),
                        new NDList(manager.create(x, new Shape(2, 3))),
                        false);
        return out.singletonOrThrow().toFloatArray();
    }

    @Test
    void sequentialBlockRoundTrip() throws Exception {
        SequentialBlock block = sampleBlock();
        JqGraph graph = BlockCodecs.encode(block, Map.of("k", "v"));
        JqNode root = graph.getRoot();
        assertEquals(SequentialBlockCodec.TYPE, root.getType());
        assertEquals(3, root.getChildren().size());
        assertEquals("01AffineTestBlock", root.getChildren().get(0).getName());
        assertEquals(
                "root/01AffineTestBlock/weight", root.getChildren().get(0).getTensorName("weight"));

        JqGraph read = JqModelReader.read(JqModelWriter.toBytes(graph));
        assertEquals(graph, read);
        Block decoded = BlockCodecs.decode(read, manager);
        assertInstanceOf(SequentialBlock.class, decoded);
        assertEquals(block.getChildren().keys(), decoded.getChildren().keys());
        // Decoded arrays belong to the given manager.
        AffineTestBlock affine = (AffineTestBlock) decoded.getChildren().get(0).getValue();
        assertSame(manager, affine.getWeight().getManager());
        assertInstanceOf(JqNDArray.class, affine.getWeight());

        float[] x = {1f, -2f, 0.25f, 8f, 0f, -3f};
        float[] expected = new float[6];
        float[] w = {1f, 2f, 3f};
        float[] b = {0.5f, 0f, -1f};
        for (int i = 0; i < 6; i++) {
            expected[i] = (x[i] * w[i % 3] + b[i % 3]) * -0.5f * 4f;
        }
        assertArrayEquals(expected, run(block, manager, x));
        assertArrayEquals(expected, run(decoded, manager, x));
    }

    @Test
    void unknownTypeIsNamed() throws Exception {
        JqGraph graph = new JqGraph(new JqNode("vendor.Mystery", "m"), Map.of(), Map.of());
        MalformedModelException e =
                assertThrows(
                        MalformedModelException.class, () -> BlockCodecs.decode(graph, manager));
        assertTrue(e.getMessage().contains("'vendor.Mystery'"), e.getMessage());
        // Also when nested inside a known container read from bytes.
        JqNode root =
                new JqNode(SequentialBlockCodec.TYPE, "root")
                        .addChild(new JqNode("vendor.Other", "x"));
        JqGraph nested =
                JqModelReader.read(JqModelWriter.toBytes(new JqGraph(root, Map.of(), Map.of())));
        e = assertThrows(MalformedModelException.class, () -> BlockCodecs.decode(nested, manager));
        assertTrue(e.getMessage().contains("'vendor.Other'"), e.getMessage());
    }

    @Test
    void invalidNodeContentIsMalformed() {
        // A Scale node without its factor.
        JqGraph noFactor = new JqGraph(new JqNode("test.Scale", "s"), Map.of(), Map.of());
        MalformedModelException e =
                assertThrows(
                        MalformedModelException.class, () -> BlockCodecs.decode(noFactor, manager));
        assertTrue(e.getMessage().contains("'factor'"), e.getMessage());
        // An Affine node whose tensors have different lengths: the block constructor's
        // IllegalArgumentException becomes a MalformedModelException naming the node.
        JqTensor w = JqTensor.of("w", new float[] {1f, 2f}, new Shape(2));
        JqTensor b = JqTensor.of("b", new float[] {1f}, new Shape(1));
        JqNode node =
                new JqNode("test.Affine", "aff").putTensor("weight", "w").putTensor("bias", "b");
        JqGraph mismatched = new JqGraph(node, Map.of("w", w, "b", b), Map.of());
        e =
                assertThrows(
                        MalformedModelException.class,
                        () -> BlockCodecs.decode(mismatched, manager));
        assertTrue(e.getMessage().contains("'aff'"), e.getMessage());
    }

    @Test
    void blocksWithoutCodecCannotBeEncoded() {
        SequentialBlock block = new SequentialBlock().add(new ScaleTestBlock(1f)).add(x -> x);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> BlockCodecs.encode(block, Map.of()));
        assertTrue(e.getMessage().contains("LambdaBlock"), e.getMessage());
    }

    @Test
    void conflictingRegistrationIsRejected() {
        BlockCodecs.register(new ScaleTestCodec()); // same codec again: fine
        BlockCodec<ScaleTestBlock> impostor =
                new BlockCodec<>() {
                    @Override
                    public String type() {
                        return "test.Scale";
                    }

                    @Override
                    public Class<ScaleTestBlock> blockClass() {
                        return ScaleTestBlock.class;
                    }

                    @Override
                    public JqNode encode(ScaleTestBlock block, TensorSink sink) {
                        return new JqNode(type());
                    }

                    @Override
                    public ScaleTestBlock decode(JqNode node, TensorSource source) {
                        return new ScaleTestBlock(0f);
                    }
                };
        assertThrows(IllegalStateException.class, () -> BlockCodecs.register(impostor));
        assertSame(ScaleTestCodec.class, BlockCodecs.forType("test.Scale").getClass());
        assertSame(
                SequentialBlockCodec.class,
                BlockCodecs.forBlockClass(SequentialBlock.class).getClass());
    }

    @Test
    void failedSaveKeepsTheExistingFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.jq");
        JqModelWriter.write(file, sampleBlock(), Map.of());
        byte[] before = Files.readAllBytes(file);
        SequentialBlock broken = sampleBlock().add(x -> x);
        assertThrows(
                IllegalArgumentException.class, () -> JqModelWriter.write(file, broken, Map.of()));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (var list = Files.list(dir)) {
            assertEquals(1, list.count(), "no temporary file left behind");
        }
        NDArray w =
                ((AffineTestBlock)
                                JqModelReader.readBlock(file, manager)
                                        .getChildren()
                                        .get(0)
                                        .getValue())
                        .getWeight();
        assertArrayEquals(new float[] {1f, 2f, 3f}, w.toFloatArray());
    }
}
