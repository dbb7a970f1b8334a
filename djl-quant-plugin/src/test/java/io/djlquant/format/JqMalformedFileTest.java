package io.djlquant.format;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a .jq file can be broken must end in a MalformedModelException naming the problem. */
class JqMalformedFileTest {

    private static final int FLOAT32 = 1;
    private static final int INT8 = 5;

    /** A small valid file: one node, an int8 and a float32 tensor. */
    private static byte[] smallValidFile() {
        Map<String, JqTensor> tensors = new LinkedHashMap<>();
        tensors.put("w", JqTensor.of("w", new byte[] {1, -2, 3}, new Shape(3), DataType.INT8));
        tensors.put("s", JqTensor.of("s", new float[] {0.5f}, new Shape(1)));
        JqNode root = new JqNode("t.N", "n").put("k", 1).putTensor("w", "w").putTensor("s", "s");
        return JqModelWriter.toBytes(new JqGraph(root, tensors, Map.of("p", "v")));
    }

    private static MalformedModelException fails(byte[] bytes, String... messageParts) {
        MalformedModelException e =
                assertThrows(MalformedModelException.class, () -> JqModelReader.read(bytes));
        for (String part : messageParts) {
            assertTrue(
                    e.getMessage().contains(part),
                    "message '" + e.getMessage() + "' should contain '" + part + "'");
        }
        return e;
    }

    @Test
    void theSampleIsValid() throws Exception {
        JqModelReader.read(smallValidFile());
    }

    @Test
    void emptyFile(@TempDir Path dir) throws Exception {
        fails(new byte[0], "Empty");
        Path file = dir.resolve("empty.jq");
        Files.write(file, new byte[0]);
        MalformedModelException e =
                assertThrows(MalformedModelException.class, () -> JqModelReader.read(file));
        assertTrue(e.getMessage().contains("Empty"), e.getMessage());
    }

    @Test
    void foreignFiles() {
        fails("PK\u0003\u0004 this is a zip".getBytes(StandardCharsets.ISO_8859_1), "magic");
        fails("{\"root\":{}}".getBytes(StandardCharsets.UTF_8), "magic");
        fails("DJL".getBytes(StandardCharsets.US_ASCII), "magic");
        byte[] file = smallValidFile();
        file[3] = 'X';
        fails(file, "magic");
    }

    @Test
    void versions() {
        byte[] newer = smallValidFile();
        newer[4] = 2;
        fails(newer, "version 2", "newer");
        fails(RawJq.fixCrc(newer), "version 2", "newer");
        byte[] far = smallValidFile();
        far[5] = 1; // version 257
        fails(far, "version 257");
        byte[] zero = smallValidFile();
        zero[4] = 0;
        fails(RawJq.fixCrc(zero), "Invalid format version 0");
    }

    @Test
    void truncatedAtEveryPosition() {
        byte[] file = smallValidFile();
        for (int n = 0; n < file.length; n++) {
            byte[] prefix = Arrays.copyOf(file, n);
            assertThrows(
                    MalformedModelException.class,
                    () -> JqModelReader.read(prefix),
                    "truncated to " + n + " of " + file.length + " bytes");
        }
    }

    @Test
    void everySingleBitFlipIsDetected() {
        byte[] file = smallValidFile();
        for (int i = 0; i < file.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] corrupt = file.clone();
                corrupt[i] ^= (byte) (1 << bit);
                int at = i;
                int b = bit;
                assertThrows(
                        MalformedModelException.class,
                        () -> JqModelReader.read(corrupt),
                        "flip of bit " + b + " in byte " + at);
            }
        }
        byte[] corrupt = file.clone();
        corrupt[file.length / 2] ^= 0x10;
        fails(corrupt, "Checksum mismatch");
    }

    @Test
    void hugeJsonLength() {
        // A 14-byte body claiming a 4 GiB JSON graph: rejected before any allocation.
        byte[] body = RawJq.header(1, "").unfinished();
        body[6] = body[7] = body[8] = body[9] = (byte) 0xFF;
        fails(RawJq.withCrc(Arrays.copyOf(body, body.length + 4)), "JSON graph length 4294967295");
        byte[] small = RawJq.header(1, "").unfinished();
        small[6] = (byte) 0xE8;
        small[7] = 0x03; // 1000 bytes claimed, few present
        fails(RawJq.withCrc(Arrays.copyOf(small, small.length + 4)), "Truncated", "JSON graph");
    }

    @Test
    void hugeTensorCount() {
        String json = RawJq.oneNodeJson("t.N");
        fails(RawJq.header(1, json).u32(0x80000000L).finish(), "Tensor count 2147483648");
        fails(RawJq.header(1, json).u32(1000).finish(), "Tensor count 1000", "more bytes");
    }

    @Test
    void tensorClaimingHugeSizes() {
        String json = RawJq.oneNodeJson("t.N", "a");
        // 2^31 float32 elements with a 4-byte length: shape and length disagree.
        fails(
                RawJq.header(1, json)
                        .u32(1)
                        .entry("a", FLOAT32, new long[] {1L << 31}, 0, 4)
                        .bytes(new byte[4])
                        .finish(),
                "Tensor 'a'",
                "8589934592 bytes",
                "says 4");
        // Consistent shape and length, but far beyond the file.
        fails(
                RawJq.header(1, json)
                        .u32(1)
                        .entry("a", FLOAT32, new long[] {1L << 31}, 0, 1L << 33)
                        .bytes(new byte[4])
                        .finish(),
                "Tensor 'a'",
                "outside the data section");
        // Element count overflowing a long.
        fails(
                RawJq.header(1, json)
                        .u32(1)
                        .entry("a", FLOAT32, new long[] {1L << 40, 1L << 40}, 0, 4)
                        .bytes(new byte[4])
                        .finish(),
                "Tensor 'a'",
                "overflows");
        // Name length beyond the limit, rank beyond the limit, negative dimension and offset.
        fails(
                RawJq.header(1, json).u32(1).u16(60000).bytes(new byte[30]).finish(),
                "name length 60000");
        fails(
                RawJq.header(1, json).u32(1).entry("a", FLOAT32, new long[9], 0, 0).finish(),
                "rank 9");
        fails(
                RawJq.header(1, json).u32(1).entry("a", FLOAT32, new long[] {-1}, 0, 4).finish(),
                "negative dimension");
        fails(
                RawJq.header(1, json)
                        .u32(1)
                        .entry("a", FLOAT32, new long[] {1}, -4, 4)
                        .bytes(new byte[4])
                        .finish(),
                "negative offset");
    }

    @Test
    void shapeDisagreesWithByteLength() {
        String json = RawJq.oneNodeJson("t.N", "a");
        fails(
                RawJq.header(1, json)
                        .u32(1)
                        .entry("a", FLOAT32, new long[] {3}, 0, 8)
                        .bytes(new byte[8])
                        .finish(),
                "Tensor 'a'",
                "needs 12 bytes",
                "says 8");
    }

    @Test
    void tableLayoutProblems() {
        String json = RawJq.oneNodeJson("t.N", "a", "b");
        fails(
                RawJq.header(1, json)
                        .u32(2)
                        .entry("a", INT8, new long[] {4}, 0, 4)
                        .entry("b", INT8, new long[] {4}, 2, 4)
                        .bytes(new byte[6])
                        .finish(),
                "overlaps");
        fails(
                RawJq.header(1, json)
                        .u32(2)
                        .entry("a", INT8, new long[] {2}, 0, 2)
                        .entry("b", INT8, new long[] {2}, 4, 2)
                        .bytes(new byte[6])
                        .finish(),
                "2 unused bytes");
        fails(
                RawJq.header(1, json)
                        .u32(2)
                        .entry("a", INT8, new long[] {2}, 0, 2)
                        .entry("b", INT8, new long[] {2}, 2, 2)
                        .bytes(new byte[7])
                        .finish(),
                "3 bytes after the last tensor");
        fails(
                RawJq.header(1, json)
                        .u32(2)
                        .entry("a", INT8, new long[] {2}, 0, 2)
                        .entry("a", INT8, new long[] {2}, 2, 2)
                        .bytes(new byte[4])
                        .finish(),
                "'a' appears twice");
        fails(
                RawJq.header(1, RawJq.oneNodeJson("t.N", "a"))
                        .u32(1)
                        .entry("a", 200, new long[] {2}, 0, 2)
                        .bytes(new byte[2])
                        .finish(),
                "unknown data type code 200");
    }

    @Test
    void danglingAndUnreferencedTensors() {
        fails(
                RawJq.header(1, RawJq.oneNodeJson("t.N", "nope")).u32(0).finish(),
                "missing tensor 'nope'");
        fails(
                RawJq.header(1, RawJq.oneNodeJson("t.N"))
                        .u32(1)
                        .entry("a", INT8, new long[] {1}, 0, 1)
                        .bytes(new byte[1])
                        .finish(),
                "'a' is not referenced");
    }

    @Test
    void badJson() {
        fails(RawJq.header(1, "not json").u32(0).finish(), "not valid JSON");
        fails(
                RawJq.header(1, "{\"root\":{\"type\":\"a\"}} {}").u32(0).finish(),
                "not valid JSON (at line 1");
        fails(RawJq.header(1, "[1,2]").u32(0).finish(), "must be an object");
        fails(RawJq.header(1, "{\"properties\":{}}").u32(0).finish(), "no 'root'");
        fails(
                RawJq.header(1, "{\"root\":{\"type\":\"a\",\"extra\":1}}").u32(0).finish(),
                "unknown field 'extra'");
        fails(
                RawJq.header(1, "{\"root\":{\"type\":5}}").u32(0).finish(),
                "'type' must be a string");
        fails(RawJq.header(1, "{\"root\":{\"type\":\"\"}}").u32(0).finish(), "empty type");
        fails(
                RawJq.header(1, "{\"root\":{\"type\":\"a\",\"children\":{}}}").u32(0).finish(),
                "'children' must be an array");
        fails(
                RawJq.header(1, "{\"root\":{\"type\":\"a\",\"config\":[]}}").u32(0).finish(),
                "'config' must be an object");
        fails(
                RawJq.header(1, "{\"root\":{\"type\":\"a\",\"tensors\":{\"w\":1}}}")
                        .u32(0)
                        .finish(),
                "must be a string");
        fails(
                RawJq.header(1, "{\"root\":{\"type\":\"a\"},\"properties\":{\"k\":[]}}")
                        .u32(0)
                        .finish(),
                "properties");
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        fails(
                RawJq.header(1, "{\"root\":{\"type\":\"a\",\"config\":{\"x\":" + deep + "}}}")
                        .u32(0)
                        .finish(),
                "nests deeper");
        // Invalid UTF-8 inside the JSON bytes.
        byte[] bad = RawJq.header(1, "{\"root\":{\"type\":\"a?\"}}").u32(0).unfinished();
        bad[10 + "{\"root\":{\"type\":\"a".length()] = (byte) 0xC3;
        fails(RawJq.withCrc(bad), "not valid UTF-8");
    }
}
