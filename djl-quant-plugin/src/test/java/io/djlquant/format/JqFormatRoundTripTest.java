package io.djlquant.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JqFormatRoundTripTest {

    /** A graph with nested nodes, every config kind, and tensors of several types and ranks. */
    static JqGraph sampleGraph() {
        Map<String, JqTensor> tensors = new LinkedHashMap<>();
        JqTensor w =
                JqTensor.of(
                        "conv/weight",
                        new byte[] {-128, -1, 0, 1, 2, 127},
                        new Shape(2, 1, 3),
                        DataType.INT8);
        JqTensor b =
                JqTensor.of(
                        "conv/bias",
                        new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE},
                        new Shape(2));
        JqTensor s = JqTensor.of("conv/scale", new float[] {0.1f, Float.MIN_VALUE}, new Shape(2));
        JqTensor u =
                JqTensor.of("act/table", new byte[] {(byte) 255, 0}, new Shape(2), DataType.UINT8);
        JqTensor scalar = JqTensor.of("act/scalar", new float[] {3.5f}, new Shape());
        JqTensor empty = JqTensor.of("act/empty", new float[0], new Shape(0, 4));
        ByteBuffer longs =
                ByteBuffer.allocate(16)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(-2)
                        .putLong(Long.MAX_VALUE);
        longs.flip();
        JqTensor l = new JqTensor("act/longs", DataType.INT64, new Shape(2), longs);
        for (JqTensor t : new JqTensor[] {w, b, s, u, scalar, empty, l}) {
            tensors.put(t.getName(), t);
        }
        JqNode conv =
                new JqNode("q.Conv", "01Conv")
                        .put("stride", new int[] {1, 2})
                        .put("outScale", 0.1f)
                        .put("acc", 1e-300)
                        .put("huge", 1e300)
                        .put("big", Long.MAX_VALUE)
                        .put("relu", true)
                        .put("mode", "symmetric \"quoted\" ünïcode")
                        .put("multipliers", new float[] {0.3f, 1e-30f, -2.5e20f})
                        .putTensor("weight", "conv/weight")
                        .putTensor("bias", "conv/bias")
                        .putTensor("scale", "conv/scale");
        JqNode act =
                new JqNode("q.Act", "02Act")
                        .putTensor("table", "act/table")
                        .putTensor("scalar", "act/scalar")
                        .putTensor("empty", "act/empty")
                        .putTensor("longs", "act/longs")
                        .putTensor("alias", "conv/scale");
        JqNode root =
                new JqNode("djl.SequentialBlock", "root")
                        .addChild(conv)
                        .addChild(new JqNode("inner", "x").addChild(act));
        Map<String, String> props = new LinkedHashMap<>();
        props.put("inputShape", "(1, 1, 28, 28)");
        props.put("note", "ünïcode");
        return new JqGraph(root, tensors, props);
    }

    @Test
    void bytesRoundTrip() throws Exception {
        JqGraph graph = sampleGraph();
        byte[] bytes = JqModelWriter.toBytes(graph);
        JqGraph back = JqModelReader.read(bytes);
        assertEquals(graph, back);
        assertEquals(graph.getProperties(), back.getProperties());
        for (JqTensor t : graph.getTensors().values()) {
            JqTensor r = back.getTensor(t.getName());
            assertEquals(t.getDataType(), r.getDataType());
            assertEquals(t.getShape(), r.getShape());
            assertArrayEquals(t.toByteArray(), r.toByteArray());
        }
        assertArrayEquals(bytes, JqModelWriter.toBytes(back), "writing is deterministic");
        assertArrayEquals(
                "DJLQ".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(bytes, 4));
        assertEquals(1, bytes[4]);
        assertEquals(0, bytes[5]);
    }

    @Test
    void configValuesSurviveExactly() throws Exception {
        JqGraph back = JqModelReader.read(JqModelWriter.toBytes(sampleGraph()));
        JqNode conv = back.getRoot().getChildren().get(0);
        assertEquals("01Conv", conv.getName());
        assertArrayEquals(new int[] {1, 2}, conv.getIntArray("stride"));
        assertEquals(0.1f, conv.getFloat("outScale"));
        assertEquals(1e-300, conv.getDouble("acc"));
        assertEquals(Long.MAX_VALUE, conv.getLong("big"));
        assertTrue(conv.getBoolean("relu"));
        assertEquals("symmetric \"quoted\" ünïcode", conv.getString("mode"));
        assertArrayEquals(new float[] {0.3f, 1e-30f, -2.5e20f}, conv.getFloatArray("multipliers"));
        assertEquals("conv/weight", conv.getTensorName("weight"));
        JqTensor s = back.getTensor("conv/scale");
        assertArrayEquals(new float[] {0.1f, Float.MIN_VALUE}, s.toFloatArray());
        assertArrayEquals(
                new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE},
                back.getTensor("conv/bias").toIntArray());
    }

    @Test
    void configGettersNameTheProblem() throws Exception {
        JqNode conv =
                JqModelReader.read(JqModelWriter.toBytes(sampleGraph()))
                        .getRoot()
                        .getChildren()
                        .get(0);
        MalformedModelException missing =
                assertThrows(MalformedModelException.class, () -> conv.getInt("padding"));
        assertTrue(
                missing.getMessage().contains("'padding'")
                        && missing.getMessage().contains("01Conv"),
                missing.getMessage());
        assertThrows(
                MalformedModelException.class, () -> conv.getInt("outScale"), "0.1 is not an int");
        assertThrows(MalformedModelException.class, () -> conv.getInt("big"), "out of int range");
        assertThrows(MalformedModelException.class, () -> conv.getString("relu"));
        assertThrows(MalformedModelException.class, () -> conv.getBoolean("mode"));
        assertThrows(MalformedModelException.class, () -> conv.getIntArray("mode"));
        assertEquals(1e300, conv.getDouble("huge"));
        assertThrows(MalformedModelException.class, () -> conv.getFloat("huge"), "overflows float");
        assertThrows(MalformedModelException.class, () -> conv.getTensorName("nothing"));
        assertThrows(IllegalArgumentException.class, () -> conv.put("x", Float.NaN));
    }

    @Test
    void fileAndStreamRoundTrip(@TempDir Path dir) throws Exception {
        JqGraph graph = sampleGraph();
        Path file = dir.resolve("m.jq");
        JqModelWriter.write(file, graph);
        assertEquals(graph, JqModelReader.read(file));
        assertEquals(graph, JqModelReader.read(new ByteArrayInputStream(Files.readAllBytes(file))));
        // Overwriting replaces the file and leaves no temporary files behind.
        JqModelWriter.write(file, graph);
        try (var list = Files.list(dir)) {
            assertEquals(1, list.count());
        }
    }

    @Test
    void tensorExpectations() throws Exception {
        JqTensor w = JqTensor.of("w", new byte[6], new Shape(2, 3), DataType.INT8);
        w.expect(DataType.INT8).expect(DataType.INT8, 2, 3).expect(DataType.INT8, -1, 3);
        MalformedModelException e =
                assertThrows(MalformedModelException.class, () -> w.expect(DataType.FLOAT32));
        assertTrue(
                e.getMessage().contains("'w'") && e.getMessage().contains("float32"),
                e.getMessage());
        e = assertThrows(MalformedModelException.class, () -> w.expect(DataType.INT8, 3, -1));
        assertTrue(e.getMessage().contains("[3, ?]"), e.getMessage());
        assertThrows(MalformedModelException.class, () -> w.expect(DataType.INT8, 6));
        assertThrows(MalformedModelException.class, () -> w.expect(DataType.INT8, new long[0]));
    }

    @Test
    void graphRejectsInconsistentContent() {
        JqNode root = new JqNode("t", "r").putTensor("w", "missing");
        assertThrows(IllegalArgumentException.class, () -> new JqGraph(root, Map.of(), Map.of()));
        JqTensor t = JqTensor.of("t", new float[] {1f}, new Shape(1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new JqGraph(new JqNode("t", "r"), Map.of("t", t), Map.of()),
                "unreferenced tensor");
        assertThrows(
                IllegalArgumentException.class,
                () -> new JqTensor("x", DataType.FLOAT32, new Shape(2), ByteBuffer.allocate(4)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new JqTensor("x", DataType.STRING, new Shape(1), ByteBuffer.allocate(1)));
        assertFalse(new JqNode("a", "b").equals(new JqNode("a", "c")));
    }

    @Test
    void savedFilesAreReadableByOthers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.jq");
        JqModelWriter.write(file, sampleGraph());
        // The atomic save goes through a temp file; the result must not stay owner-only.
        assertEquals(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"),
                Files.getPosixFilePermissions(file));
    }
}
