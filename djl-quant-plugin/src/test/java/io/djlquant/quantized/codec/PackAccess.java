package io.djlquant.quantized.codec;

/** Test access to the package-private 4-bit packing of {@link WeightsCodec}. */
public final class PackAccess {

    private PackAccess() {}

    public static byte[] pack(byte[] v) {
        return WeightsCodec.pack4(v);
    }

    public static byte[] unpack(byte[] packed, int n) {
        return WeightsCodec.unpack4(packed, n, true);
    }
}
