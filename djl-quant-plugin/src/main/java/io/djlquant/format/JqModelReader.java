package io.djlquant.format;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Reads {@code .jq} files, treating them as untrusted: every count, length, rank, dimension and
 * offset is checked before anything is allocated, and any problem raises a {@link
 * MalformedModelException} that names it.
 */
public final class JqModelReader {

    private JqModelReader() {}

    /**
     * Reads and validates a file.
     *
     * @param file the {@code .jq} file
     * @return the graph
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the content is not a valid {@code .jq} model
     */
    public static JqGraph read(Path file) throws IOException, MalformedModelException {
        long size = Files.size(file);
        if (size > JqFormat.MAX_FILE_BYTES) {
            throw new MalformedModelException(
                    file
                            + ": "
                            + size
                            + " bytes exceed the .jq limit of "
                            + JqFormat.MAX_FILE_BYTES);
        }
        return read(Files.readAllBytes(file));
    }

    /**
     * Reads and validates a stream (up to {@link JqFormat#MAX_FILE_BYTES}).
     *
     * @param in the stream, read to its end
     * @return the graph
     * @throws IOException if the stream cannot be read
     * @throws MalformedModelException if the content is not a valid {@code .jq} model
     */
    public static JqGraph read(InputStream in) throws IOException, MalformedModelException {
        byte[] bytes = in.readNBytes((int) JqFormat.MAX_FILE_BYTES);
        if (in.read() != -1) {
            throw new MalformedModelException(
                    "Stream exceeds the .jq limit of " + JqFormat.MAX_FILE_BYTES + " bytes");
        }
        return read(bytes);
    }

    /**
     * Reads a file and decodes its block tree with the registered codecs.
     *
     * @param file the {@code .jq} file
     * @param manager the manager that owns the blocks' arrays
     * @return the root block
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if the file or a block in it is invalid
     */
    public static Block readBlock(Path file, NDManager manager)
            throws IOException, MalformedModelException {
        return BlockCodecs.decode(read(file), manager);
    }

    /**
     * Validates and parses the bytes of a {@code .jq} file. Tensors share {@code bytes}, which must
     * not be modified afterwards.
     *
     * @param bytes the file content
     * @return the graph
     * @throws MalformedModelException if the content is not a valid {@code .jq} model
     */
    public static JqGraph read(byte[] bytes) throws MalformedModelException {
        checkHeader(bytes);
        int bodyEnd = bytes.length - JqFormat.CRC_BYTES;
        checkCrc(bytes, bodyEnd);

        LeCursor in = new LeCursor(bytes, JqFormat.MAGIC.length + 2, bodyEnd);
        long jsonLength = in.u32("JSON graph length");
        if (jsonLength > JqFormat.MAX_JSON_BYTES) {
            throw new MalformedModelException(
                    "JSON graph length "
                            + jsonLength
                            + " exceeds the limit "
                            + JqFormat.MAX_JSON_BYTES);
        }
        String json = in.utf8(jsonLength, "JSON graph");

        List<Entry> entries = readTable(in);
        int dataStart = in.position();
        long dataLength = in.remaining();
        checkLayout(entries, dataLength);

        // Tensors are checked before the JSON is trusted, so references can be resolved.
        Map<String, JqTensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            ByteBuffer data =
                    ByteBuffer.wrap(bytes, dataStart + (int) e.offset, (int) e.length)
                            .slice()
                            .asReadOnlyBuffer();
            tensors.put(e.name, new JqTensor(e.name, e.dataType, e.shape, data));
        }
        GraphJson.Parsed parsed = GraphJson.fromJson(json);
        String problem = JqGraph.findProblem(parsed.root, tensors);
        if (problem != null) {
            throw new MalformedModelException(problem);
        }
        return new JqGraph(parsed.root, tensors, parsed.properties);
    }

    private static void checkHeader(byte[] bytes) throws MalformedModelException {
        if (bytes.length == 0) {
            throw new MalformedModelException("Empty file: not a .jq model");
        }
        byte[] magic = JqFormat.MAGIC;
        if (bytes.length < magic.length
                || !Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)) {
            throw new MalformedModelException(
                    "Wrong magic: not a .jq model (expected the bytes 'DJLQ')");
        }
        if (bytes.length < magic.length + 2) {
            throw new MalformedModelException("Truncated file: no format version");
        }
        int version = (bytes[4] & 0xFF) | (bytes[5] & 0xFF) << 8;
        if (version > JqFormat.VERSION) {
            throw new MalformedModelException(
                    "Format version "
                            + version
                            + " is newer than the supported version "
                            + JqFormat.VERSION
                            + "; upgrade djl-quant");
        }
        if (version < 1) {
            throw new MalformedModelException("Invalid format version " + version);
        }
        if (bytes.length < JqFormat.MIN_FILE_BYTES) {
            throw new MalformedModelException(
                    "Truncated file: "
                            + bytes.length
                            + " bytes, a .jq model has at least "
                            + JqFormat.MIN_FILE_BYTES);
        }
    }

    private static void checkCrc(byte[] bytes, int bodyEnd) throws MalformedModelException {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bodyEnd);
        long stored = new LeCursor(bytes, bodyEnd, bytes.length).u32("CRC32");
        if (crc.getValue() != stored) {
            throw new MalformedModelException(
                    String.format(
                            "Checksum mismatch (stored %08x, computed %08x): the file is corrupted"
                                    + " or truncated",
                            stored, crc.getValue()));
        }
    }

    private static List<Entry> readTable(LeCursor in) throws MalformedModelException {
        long count = in.u32("tensor count");
        if (count > JqFormat.MAX_TENSORS) {
            throw new MalformedModelException(
                    "Tensor count " + count + " exceeds the limit " + JqFormat.MAX_TENSORS);
        }
        if (count * JqFormat.MIN_ENTRY_BYTES > in.remaining()) {
            throw new MalformedModelException(
                    "Tensor count "
                            + count
                            + " needs more bytes than the file has left ("
                            + in.remaining()
                            + ")");
        }
        List<Entry> entries = new ArrayList<>((int) count);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String where = "Tensor entry " + i;
            int nameLength = in.u16(where + " name length");
            if (nameLength == 0 || nameLength > JqFormat.MAX_NAME_BYTES) {
                throw new MalformedModelException(
                        where
                                + ": name length "
                                + nameLength
                                + " is outside 1.."
                                + JqFormat.MAX_NAME_BYTES);
            }
            String name = in.utf8(nameLength, where + " name");
            where = "Tensor '" + name + "'";
            if (!names.add(name)) {
                throw new MalformedModelException(where + " appears twice in the tensor table");
            }
            int code = in.u8(where + " data type");
            DataType dataType = DTypeCodes.fromCode(code);
            if (dataType == null) {
                throw new MalformedModelException(where + ": unknown data type code " + code);
            }
            int rank = in.u8(where + " rank");
            if (rank > JqFormat.MAX_RANK) {
                throw new MalformedModelException(
                        where + ": rank " + rank + " exceeds the limit " + JqFormat.MAX_RANK);
            }
            long[] dims = new long[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++) {
                dims[d] = in.i64(where + " dimension");
                if (dims[d] < 0) {
                    throw new MalformedModelException(where + ": negative dimension " + dims[d]);
                }
                elements = multiply(elements, dims[d], where);
            }
            long offset = in.i64(where + " offset");
            long length = in.i64(where + " byte length");
            long expected = multiply(elements, dataType.getNumOfBytes(), where);
            if (length != expected) {
                throw new MalformedModelException(
                        where
                                + ": shape "
                                + Arrays.toString(dims)
                                + " of "
                                + dataType
                                + " needs "
                                + expected
                                + " bytes but the table says "
                                + length);
            }
            if (offset < 0) {
                throw new MalformedModelException(where + ": negative offset " + offset);
            }
            entries.add(new Entry(name, dataType, new Shape(dims), offset, length));
        }
        return entries;
    }

    private static long multiply(long a, long b, String where) throws MalformedModelException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new MalformedModelException(where + ": size overflows", e);
        }
    }

    /* Tensors must lie inside the data section, not overlap, and cover it completely. */
    private static void checkLayout(List<Entry> entries, long dataLength)
            throws MalformedModelException {
        for (Entry e : entries) {
            if (e.offset > dataLength || e.length > dataLength - e.offset) {
                throw new MalformedModelException(
                        "Tensor '"
                                + e.name
                                + "': bytes ["
                                + e.offset
                                + ", +"
                                + e.length
                                + ") lie outside the data section of "
                                + dataLength
                                + " bytes");
            }
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> Long.compare(a.offset, b.offset));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.length == 0) {
                continue;
            }
            if (e.offset < covered) {
                throw new MalformedModelException(
                        "Tensor '" + e.name + "' overlaps tensor '" + previous.name + "'");
            }
            if (e.offset > covered) {
                throw new MalformedModelException(
                        "Data section has "
                                + (e.offset - covered)
                                + " unused bytes at offset "
                                + covered);
            }
            covered = e.offset + e.length;
            previous = e;
        }
        if (covered != dataLength) {
            throw new MalformedModelException(
                    "Data section has " + (dataLength - covered) + " bytes after the last tensor");
        }
    }

    /** One row of the tensor table. */
    private static final class Entry {
        final String name;
        final DataType dataType;
        final Shape shape;
        final long offset;
        final long length;

        Entry(String name, DataType dataType, Shape shape, long offset, long length) {
            this.name = name;
            this.dataType = dataType;
            this.shape = shape;
            this.offset = offset;
            this.length = length;
        }
    }
}
