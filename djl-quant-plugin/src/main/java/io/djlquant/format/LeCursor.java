package io.djlquant.format;

import ai.djl.MalformedModelException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads little-endian values from a byte range, checking every read against the bytes that remain
 * so a corrupt length can never cause a large allocation.
 */
final class LeCursor {

    private final byte[] bytes;
    private final int end;
    private int pos;

    LeCursor(byte[] bytes, int start, int end) {
        this.bytes = bytes;
        this.pos = start;
        this.end = end;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    private void need(long n, String what) throws MalformedModelException {
        if (n < 0 || n > remaining()) {
            throw new MalformedModelException(
                    "Truncated file: "
                            + what
                            + " needs "
                            + n
                            + " bytes at offset "
                            + pos
                            + ", only "
                            + remaining()
                            + " remain");
        }
    }

    int u8(String what) throws MalformedModelException {
        need(1, what);
        return bytes[pos++] & 0xFF;
    }

    int u16(String what) throws MalformedModelException {
        need(2, what);
        int v = (bytes[pos] & 0xFF) | (bytes[pos + 1] & 0xFF) << 8;
        pos += 2;
        return v;
    }

    long u32(String what) throws MalformedModelException {
        need(4, what);
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            v = v << 8 | (bytes[pos + i] & 0xFF);
        }
        pos += 4;
        return v;
    }

    long i64(String what) throws MalformedModelException {
        need(8, what);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (bytes[pos + i] & 0xFF);
        }
        pos += 8;
        return v;
    }

    /** Reads {@code length} bytes as strict UTF-8. */
    String utf8(long length, String what) throws MalformedModelException {
        need(length, what);
        ByteBuffer slice = ByteBuffer.wrap(bytes, pos, (int) length);
        try {
            CharBuffer chars =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(slice);
            pos += (int) length;
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedModelException(what + " is not valid UTF-8", e);
        }
    }
}
