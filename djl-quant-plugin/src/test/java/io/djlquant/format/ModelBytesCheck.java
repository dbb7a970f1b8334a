package io.djlquant.format;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The property the fuzz and mutation tests check on arbitrary bytes: loading them as a JavaQuant
 * model (validate, parse, decode every block with the registered codecs) either succeeds or raises
 * a {@link MalformedModelException} with a message. Any other throwable escapes to the caller,
 * which reports it as a failure.
 */
final class ModelBytesCheck {

    /* One JavaQuant manager for all cases; each case decodes into its own sub-manager. */
    private static final NDManager BASE = Engine.getEngine("JavaQuant").newBaseManager();

    private ModelBytesCheck() {}

    /**
     * Loads {@code bytes} like {@code JqModel.load} does.
     *
     * @return true if they are a valid model, false if they were rejected
     */
    static boolean loadsOrRejects(byte[] bytes) {
        try (NDManager manager = BASE.newSubManager()) {
            BlockCodecs.decode(JqModelReader.read(bytes), manager);
            return true;
        } catch (MalformedModelException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("MalformedModelException without a message", e);
            }
            return false;
        }
    }

    /**
     * A copy of {@code bytes} whose last four bytes are the CRC32 of the rest, so that a mutation
     * gets past the checksum and reaches the parser (as a crafted file would).
     */
    static byte[] withValidCrc(byte[] bytes) {
        if (bytes.length < JqFormat.CRC_BYTES) {
            return bytes;
        }
        byte[] out = Arrays.copyOf(bytes, bytes.length);
        int body = bytes.length - JqFormat.CRC_BYTES;
        CRC32 crc = new CRC32();
        crc.update(out, 0, body);
        long v = crc.getValue();
        for (int i = 0; i < 4; i++) {
            out[body + i] = (byte) (v >>> (8 * i));
        }
        return out;
    }
}
