package io.djlquant.format;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Test helper that assembles .jq bytes field by field (following the documented layout) so tests
 * can plant one specific fault behind a valid checksum.
 */
final class RawJq {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static RawJq header(int version, String json) {
        RawJq raw = new RawJq();
        raw.bytes("DJLQ".getBytes(StandardCharsets.US_ASCII));
        raw.u16(version);
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        raw.u32(j.length);
        raw.bytes(j);
        return raw;
    }

    RawJq bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    RawJq u8(int v) {
        out.write(v);
        return this;
    }

    RawJq u16(int v) {
        return bytes(
                ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
    }

    RawJq u32(long v) {
        return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
    }

    RawJq i64(long v) {
        return bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    /** Appends one tensor table entry. */
    RawJq entry(String name, int dtypeCode, long[] dims, long offset, long length) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        u16(n.length);
        bytes(n);
        u8(dtypeCode);
        u8(dims.length);
        for (long d : dims) {
            i64(d);
        }
        i64(offset);
        return i64(length);
    }

    /** Returns the bytes with a correct CRC32 appended. */
    byte[] finish() {
        byte[] body = out.toByteArray();
        return withCrc(body);
    }

    /** Returns the bytes without any checksum. */
    byte[] unfinished() {
        return out.toByteArray();
    }

    static byte[] withCrc(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        ByteBuffer bb = ByteBuffer.allocate(body.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(body).putInt((int) crc.getValue());
        return bb.array();
    }

    /** Recomputes the trailing CRC32 of a complete file after a deliberate edit. */
    static byte[] fixCrc(byte[] file) {
        byte[] body = java.util.Arrays.copyOf(file, file.length - 4);
        return withCrc(body);
    }

    /** JSON of a one-node graph referencing the given tensors as keys t0, t1, ... */
    static String oneNodeJson(String type, String... tensorNames) {
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < tensorNames.length; i++) {
            if (i > 0) {
                refs.append(',');
            }
            refs.append("\"t").append(i).append("\":\"").append(tensorNames[i]).append('"');
        }
        return "{\"root\":{\"type\":\""
                + type
                + "\",\"name\":\"root\",\"tensors\":{"
                + refs
                + "}},\"properties\":{}}";
    }
}
