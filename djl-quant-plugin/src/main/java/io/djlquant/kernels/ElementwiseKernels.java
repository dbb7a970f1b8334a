package io.djlquant.kernels;

/**
 * Quantized elementwise add/mul plus quantize/dequantize. All float math is float32 with the exact
 * formulas in the method docs, identical for every implementation; the add (every residual block)
 * and quantize (every input) run on {@link Int8Impl}, the rest is scalar. Arguments are assumed
 * valid (checked by {@link Int8Kernels}).
 */
final class ElementwiseKernels {

    /** Elements per parallel task (fixed, so results never depend on the thread count). */
    private static final int CHUNK = 1 << 15;

    private ElementwiseKernels() {}

    /**
     * {@code y = quantize(fa + fb)} or {@code quantize(fa * fb)}, {@code fa = (float) (a - zpA) *
     * scaleA}.
     */
    static byte[] binary(
            Int8Impl impl,
            byte[] a,
            ActivationQuant qa,
            byte[] b,
            ActivationQuant qb,
            ActivationQuant out,
            boolean relu,
            boolean multiply) {
        final byte[] y = new byte[a.length];
        final int ma = qa.byteMask();
        final int mb = qb.byteMask();
        final int za = qa.zeroPoint();
        final int zb = qb.zeroPoint();
        final float sa = qa.scale();
        final float sb = qb.scale();
        final float so = out.scale();
        final int zo = out.zeroPoint();
        final int lo = Requant.lower(out, relu);
        final int hi = out.qmax();
        KernelThreads.run(
                chunks(a.length),
                t -> {
                    int end = Math.min(a.length, (t + 1) * CHUNK);
                    if (!multiply) {
                        impl.addRow(a, qa, b, qb, so, zo, lo, hi, y, t * CHUNK, end - t * CHUNK);
                        return;
                    }
                    for (int i = t * CHUNK; i < end; i++) {
                        float fa = ((a[i] & ma) - za) * sa;
                        float fb = ((b[i] & mb) - zb) * sb;
                        y[i] = Requant.quantize(multiply ? fa * fb : fa + fb, so, zo, lo, hi);
                    }
                });
        return y;
    }

    static byte[] quantize(Int8Impl impl, float[] x, ActivationQuant q) {
        final byte[] y = new byte[x.length];
        KernelThreads.run(
                chunks(x.length),
                t -> {
                    int end = Math.min(x.length, (t + 1) * CHUNK);
                    impl.quantizeRow(
                            x,
                            q.scale(),
                            q.zeroPoint(),
                            q.qmin(),
                            q.qmax(),
                            y,
                            t * CHUNK,
                            end - t * CHUNK);
                });
        return y;
    }

    static float[] dequantize(byte[] x, ActivationQuant q) {
        final float[] y = new float[x.length];
        final int mask = q.byteMask();
        final int zp = q.zeroPoint();
        final float s = q.scale();
        for (int i = 0; i < x.length; i++) {
            y[i] = ((x[i] & mask) - zp) * s;
        }
        return y;
    }

    private static int chunks(int n) {
        return (n + CHUNK - 1) / CHUNK;
    }
}
