package io.djlquant.kernels;

import java.util.Random;

/** Random inputs and the two implementations for the kernel tests. */
final class TestData {

    static final Int8Impl SCALAR = KernelSelector.create(KernelSelector.Choice.SCALAR);
    static final Int8Impl SIMD = KernelSelector.create(KernelSelector.Choice.SIMD);

    private TestData() {}

    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /**
     * Bytes restricted to a quantization range (matters for narrow ranges such as QINT8_NARROW).
     */
    static byte[] bytes(Random r, int n, ActivationQuant q) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (q.qmin() + r.nextInt(q.qmax() - q.qmin() + 1));
        }
        return b;
    }

    static int[] ints(Random r, int n, int bound) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(2 * bound + 1) - bound;
        }
        return v;
    }

    /** uint8 or int8 parameters with a random zero point. */
    static ActivationQuant act(Random r, boolean unsigned) {
        float scale = 0.01f + r.nextFloat() * 0.1f;
        return unsigned
                ? ActivationQuant.uint8(scale, r.nextInt(256))
                : ActivationQuant.int8(scale, r.nextInt(256) - 128);
    }

    /**
     * Multipliers scaled so outputs spread over the range (times {@code boost} to force
     * saturation).
     */
    static float[] multipliers(Random r, int n, int k, float boost) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = (float) (boost * (0.5 + r.nextDouble()) * 60.0 / (Math.sqrt(k) * 5000.0));
        }
        return m;
    }
}
