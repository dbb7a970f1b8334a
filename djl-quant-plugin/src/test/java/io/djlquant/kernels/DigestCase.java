package io.djlquant.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Function;

/**
 * One kernel call with fixed inputs for the cross-architecture digest check: a stable name, a
 * description of its shape and parameters, a digest of its inputs, and a function computing its
 * output bytes with a given implementation. Numbers are serialized little-endian explicitly, so a
 * digest depends only on the values, never on the machine's byte order.
 */
record DigestCase(
        String name, String description, String inputDigest, Function<Int8Impl, byte[]> compute) {

    /** Builds a case; {@code inputs} are the arrays the kernel reads (byte[], int[] or float[]). */
    static DigestCase of(
            String name, String description, Function<Int8Impl, byte[]> compute, Object... inputs) {
        // The description is left out: float formatting may differ between JDK versions, values do
        // not.
        MessageDigest md = sha256();
        for (Object in : inputs) {
            md.update(bytesOf(in));
        }
        return new DigestCase(name, description, hex(md.digest()), compute);
    }

    /** SHA-256 of some output bytes, truncated to 128 bits (plenty to detect any difference). */
    static String digest(byte[] out) {
        return hex(sha256().digest(out));
    }

    static byte[] le(int[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(v);
        return b.array();
    }

    /** Raw float bits, so NaN payloads and -0.0 are compared exactly too. */
    static byte[] le(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putInt(Float.floatToRawIntBits(f));
        }
        return b.array();
    }

    private static byte[] bytesOf(Object in) {
        if (in == null) {
            return new byte[] {'n', 'u', 'l', 'l'};
        }
        if (in instanceof byte[] b) {
            return b;
        }
        if (in instanceof int[] i) {
            return le(i);
        }
        if (in instanceof float[] f) {
            return le(f);
        }
        throw new IllegalArgumentException("unsupported input type " + in.getClass().getName());
    }

    private static String hex(byte[] d) {
        return HexFormat.of().formatHex(d, 0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
