package io.djlquant.format;

/** Registers the test-only codecs (idempotent). */
public final class TestCodecs {

    private TestCodecs() {}

    /** Registers {@link AffineTestCodec} and {@link ScaleTestCodec}. */
    public static void register() {
        BlockCodecs.register(new AffineTestCodec());
        BlockCodecs.register(new ScaleTestCodec());
    }
}
