package io.djlquant.imports;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds small hostile PyTorch files for the importer's bound tests: pickles opcode by opcode
 * ({@link Pickle}) and zip archives entry by entry ({@link #zip}), with helpers to patch zip
 * headers afterwards (sizes, names) the way a crafted file would.
 */
final class MaliciousFiles {

    private MaliciousFiles() {}

    /** A pickle (protocol 2) written opcode by opcode. */
    static final class Pickle {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle() {
            op(0x80).op(2);
        }

        Pickle op(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        /** BINUNICODE. */
        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X').int4(b.length);
            out.writeBytes(b);
            return this;
        }

        /** LONG1 (8 bytes, any long). */
        Pickle lng(long v) {
            op(0x8a, 8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        /** Text GLOBAL. */
        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** MARK, the items, TUPLE. */
        Pickle tuple(Runnable items) {
            op('(');
            items.run();
            return op('t');
        }

        /** A tuple of longs. */
        Pickle longs(long... values) {
            op('(');
            for (long v : values) {
                lng(v);
            }
            return op('t');
        }

        /**
         * The persistent id of storage {@code key}: ('storage', torch.FloatStorage, key, 'cpu',
         * numel).
         */
        Pickle storage(String key, long numel) {
            op('(').str("storage")
                    .global("torch", "FloatStorage")
                    .str(key)
                    .str("cpu")
                    .lng(numel)
                    .op('t');
            return op('Q');
        }

        /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()). */
        Pickle tensor(String key, long numel, long offset, long[] size, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v2");
            op('(');
            storage(key, numel).lng(offset).longs(size).longs(stride).op(0x89);
            global("collections", "OrderedDict").op(')', 'R');
            return op('t', 'R');
        }

        /** A contiguous float tensor over the whole of a storage of {@code n} elements. */
        Pickle vector(String key, long n) {
            return tensor(key, n, 0, new long[] {n}, new long[] {1});
        }

        /**
         * A 4-byte little-endian int (the operand of LONG_BINPUT / LONG_BINGET), then more opcodes.
         */
        Pickle int4(int v, int... more) {
            for (int i = 0; i < 4; i++) {
                out.write(v >>> (8 * i));
            }
            return op(more);
        }

        byte[] stop() {
            out.write('.');
            return out.toByteArray();
        }
    }

    /**
     * @return float32 little-endian bytes of {@code n} elements 0, 1, 2, ...
     */
    static byte[] floats(int n) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(i);
        }
        return b.array();
    }

    /**
     * A {@code torch.save}-like archive: {@code archive/data.pkl} and {@code archive/data/<key>}.
     */
    static byte[] archive(byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        storages.forEach((k, v) -> entries.put("archive/data/" + k, v));
        return zip(entries, false);
    }

    /** An archive of one storage "0" of {@code n} floats and the given pickle. */
    static byte[] archive(byte[] pickle, int n) throws IOException {
        return archive(pickle, Map.of("0", floats(n)));
    }

    /** A zip of the entries, stored (as PyTorch writes them) or deflated. */
    static byte[] zip(Map<String, byte[]> entries, boolean deflate) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                if (!deflate) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCompressedSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Overwrites the uncompressed size that the central directory declares for {@code name} (the
     * field {@code java.util.zip.ZipFile} and PyTorch's reader trust).
     */
    static byte[] withDeclaredSize(byte[] zip, String name, int size) {
        byte[] out = zip.clone();
        int cen = centralHeader(out, name);
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(cen + 24, size);
        return out;
    }

    /**
     * Renames every occurrence of {@code from} (local and central headers) to {@code to}, same
     * length.
     */
    static byte[] renamed(byte[] zip, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        if (f.length != t.length) {
            throw new IllegalArgumentException("names must have the same length");
        }
        byte[] out = zip.clone();
        for (int i = 0; i + f.length <= out.length; i++) {
            if (ByteBuffer.wrap(out, i, f.length).equals(ByteBuffer.wrap(f))) {
                System.arraycopy(t, 0, out, i, t.length);
            }
        }
        return out;
    }

    private static int centralHeader(byte[] zip, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 46 <= zip.length; i++) {
            if (b.getInt(i) == 0x02014b50
                    && (b.getShort(i + 28) & 0xffff) == n.length
                    && ByteBuffer.wrap(zip, i + 46, n.length).equals(ByteBuffer.wrap(n))) {
                return i;
            }
        }
        throw new IllegalArgumentException("no central header for " + name);
    }
}
