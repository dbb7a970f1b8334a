package io.djlquant.format;

import ai.djl.nn.Block;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes {@code .jq} files. The whole file is built in memory first and then written to a temporary
 * file in the target directory that is moved over the target, so a failed save leaves an existing
 * file untouched.
 */
public final class JqModelWriter {

    private JqModelWriter() {}

    /**
     * Encodes {@code root} with the registered {@link BlockCodec}s and writes it atomically.
     *
     * @param file the target file
     * @param root the root block
     * @param properties string metadata to store
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if a block has no codec or cannot be encoded
     */
    public static void write(Path file, Block root, Map<String, String> properties)
            throws IOException {
        write(file, BlockCodecs.encode(root, properties));
    }

    /**
     * Writes a graph atomically.
     *
     * @param file the target file
     * @param graph the graph
     * @throws IOException if writing fails
     */
    public static void write(Path file, JqGraph graph) throws IOException {
        byte[] bytes = toBytes(graph);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            // createTempFile makes the file owner-only (0600); a saved model is an ordinary
            // artifact that other users and services must be able to read.
            if (Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer bb = ByteBuffer.wrap(bytes);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                ch.force(true);
            }
            try {
                Files.move(
                        tmp,
                        target,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Serializes a graph into the bytes of a {@code .jq} file.
     *
     * @param graph the graph
     * @return the file content
     * @throws IllegalArgumentException if the model does not fit the format's limits
     */
    public static byte[] toBytes(JqGraph graph) {
        byte[] json = GraphJson.toJson(graph).getBytes(StandardCharsets.UTF_8);
        if (json.length > JqFormat.MAX_JSON_BYTES) {
            throw new IllegalArgumentException(
                    "JSON graph has " + json.length + " bytes, limit " + JqFormat.MAX_JSON_BYTES);
        }
        Map<String, JqTensor> tensors = graph.getTensors();
        if (tensors.size() > JqFormat.MAX_TENSORS) {
            throw new IllegalArgumentException(
                    tensors.size() + " tensors exceed the limit " + JqFormat.MAX_TENSORS);
        }
        long total = JqFormat.HEADER_BYTES + json.length + 4L + JqFormat.CRC_BYTES;
        for (JqTensor t : tensors.values()) {
            total += JqFormat.MIN_ENTRY_BYTES + 8L * t.getShape().dimension();
            total += t.getName().length() * 3L + t.getByteLength(); // UTF-8 needs <= 3 bytes/char
        }
        if (total > JqFormat.MAX_FILE_BYTES) {
            throw new IllegalArgumentException(
                    "Model needs up to " + total + " bytes, more than a .jq file can hold");
        }
        LeOutput out = new LeOutput();
        out.write(JqFormat.MAGIC);
        out.u16(JqFormat.VERSION);
        out.u32(json.length);
        out.write(json);
        out.u32(tensors.size());
        long offset = 0;
        for (JqTensor t : tensors.values()) {
            byte[] name = t.getName().getBytes(StandardCharsets.UTF_8);
            if (name.length > JqFormat.MAX_NAME_BYTES) {
                throw new IllegalArgumentException("Tensor name too long: " + t.getName());
            }
            long[] dims = t.getShape().getShape();
            if (dims.length > JqFormat.MAX_RANK) {
                throw new IllegalArgumentException(
                        "Tensor '"
                                + t.getName()
                                + "' has rank "
                                + dims.length
                                + " > "
                                + JqFormat.MAX_RANK);
            }
            out.u16(name.length);
            out.write(name);
            out.u8(DTypeCodes.toCode(t.getDataType()));
            out.u8(dims.length);
            for (long d : dims) {
                out.i64(d);
            }
            out.i64(offset);
            out.i64(t.getByteLength());
            offset += t.getByteLength();
        }
        for (JqTensor t : tensors.values()) {
            out.write(t.toByteArray());
        }
        CRC32 crc = new CRC32();
        crc.update(out.buffer(), 0, out.size());
        out.u32(crc.getValue());
        return out.toByteArray();
    }

    /** A byte sink with little-endian integer writers. */
    private static final class LeOutput extends ByteArrayOutputStream {

        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        LeOutput() {
            super(1 << 16);
        }

        byte[] buffer() {
            return buf;
        }

        @Override
        public void write(byte[] b) {
            write(b, 0, b.length);
        }

        void u8(int v) {
            write(v);
        }

        void u16(int v) {
            scratch.clear();
            scratch.putShort((short) v);
            write(scratch.array(), 0, 2);
        }

        void u32(long v) {
            scratch.clear();
            scratch.putInt((int) v);
            write(scratch.array(), 0, 4);
        }

        void i64(long v) {
            scratch.clear();
            scratch.putLong(v);
            write(scratch.array(), 0, 8);
        }
    }
}
