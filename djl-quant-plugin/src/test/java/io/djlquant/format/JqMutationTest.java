package io.djlquant.format;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Deterministic counterpart of {@link JqReaderFuzzTest} that always runs: thousands of random
 * multi-byte mutations (fixed seed) of the valid seed models, most with a recomputed checksum so
 * they reach the parser and the block codecs. Each case must load or be rejected with a
 * MalformedModelException within a watchdog time; JqMalformedFileTest covers the single faults.
 */
class JqMutationTest {

    private static final String DIR = "/io/djlquant/format/JqReaderFuzzTestInputs/loadsOrRejects/";
    private static final int CASES_PER_SEED = 4000;
    private static final Duration WATCHDOG = Duration.ofSeconds(20);

    /* Values that stress length, count, dimension and offset fields. */
    private static final long[] FIELD_VALUES = {
        0,
        1,
        2,
        3,
        7,
        255,
        256,
        65535,
        65536,
        0x7FFFFFFFL,
        0x80000000L,
        0xFFFFFFFFL,
        1L << 32,
        1L << 40,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        -1,
        -2,
        Integer.MIN_VALUE
    };

    private static byte[] seed(String name) throws Exception {
        try (InputStream in = JqMutationTest.class.getResourceAsStream(DIR + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void seedsAreValidModels() throws Exception {
        assertTrue(ModelBytesCheck.loadsOrRejects(seed("handbuilt-network.jq")));
        assertTrue(ModelBytesCheck.loadsOrRejects(seed("stubs.jq")));
    }

    @Test
    void mutationsOfTheNetworkLoadOrAreRejected() throws Exception {
        mutate(seed("handbuilt-network.jq"), 11);
    }

    @Test
    void mutationsOfTheStubModelLoadOrAreRejected() throws Exception {
        mutate(seed("stubs.jq"), 12);
    }

    private static void mutate(byte[] valid, long seed) {
        Random r = new Random(seed);
        int rejected = 0;
        for (int i = 0; i < CASES_PER_SEED; i++) {
            byte[] m = valid.clone();
            int edits = 1 + r.nextInt(6);
            for (int e = 0; e < edits; e++) {
                m = edit(m, r);
            }
            if (r.nextInt(10) != 0) {
                m = ModelBytesCheck.withValidCrc(m);
            }
            byte[] input = m;
            int n = i;
            boolean valid1 =
                    assertTimeoutPreemptively(
                            WATCHDOG,
                            () -> ModelBytesCheck.loadsOrRejects(input),
                            () -> "case " + n + " of seed " + seed);
            rejected += valid1 ? 0 : 1;
        }
        // The mutations must mostly produce invalid files, else they test nothing.
        assertTrue(rejected > CASES_PER_SEED / 2, rejected + " rejected of " + CASES_PER_SEED);
    }

    /* One random edit: overwrite, flip, insert, delete, duplicate, or plant a length-like value. */
    private static byte[] edit(byte[] b, Random r) {
        if (b.length == 0) {
            return new byte[] {(byte) r.nextInt()};
        }
        int at = r.nextInt(b.length);
        switch (r.nextInt(6)) {
            case 0:
                b[at] = (byte) r.nextInt();
                return b;
            case 1:
                b[at] ^= (byte) (1 << r.nextInt(8));
                return b;
            case 2:
                {
                    int n = 1 + r.nextInt(16);
                    byte[] out = new byte[b.length + n];
                    System.arraycopy(b, 0, out, 0, at);
                    for (int i = 0; i < n; i++) {
                        out[at + i] = (byte) r.nextInt();
                    }
                    System.arraycopy(b, at, out, at + n, b.length - at);
                    return out;
                }
            case 3:
                {
                    int n = Math.min(b.length - at, 1 + r.nextInt(32));
                    byte[] out = new byte[b.length - n];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + n, out, at, b.length - at - n);
                    return out;
                }
            case 4:
                {
                    int n = Math.min(b.length - at, 1 + r.nextInt(64));
                    int to = r.nextInt(b.length);
                    byte[] out = Arrays.copyOf(b, b.length + n);
                    System.arraycopy(b, to, out, to + n, b.length - to);
                    System.arraycopy(b, at, out, to, n);
                    return out;
                }
            default:
                {
                    long v = FIELD_VALUES[r.nextInt(FIELD_VALUES.length)];
                    int width = r.nextBoolean() ? 8 : r.nextBoolean() ? 4 : 2;
                    for (int i = 0; i < width && at + i < b.length; i++) {
                        b[at + i] = (byte) (v >>> (8 * i));
                    }
                    return b;
                }
        }
    }
}
