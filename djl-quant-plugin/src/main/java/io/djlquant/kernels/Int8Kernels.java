package io.djlquant.kernels;

/**
 * Public facade of the int8 kernels: checks arguments, then delegates to the implementation chosen
 * once per JVM (Vector API when {@code jdk.incubator.vector} is available, scalar otherwise; force
 * one with {@code -Ddjlquant.kernels=scalar|simd}). Both implementations give bit-identical
 * results, for any thread count.
 *
 * <p>Conventions: activations are {@code byte[]} read as unsigned when {@link
 * ActivationQuant#qmin()} is &gt;= 0 and signed otherwise; images are NCHW; integer accumulation is
 * int32 (bias included); requantization is {@code clamp(rint(acc * M[c]) + zpOut, lo, qmax)} with a
 * float product, where {@code lo = max(qmin, zpOut)} with fused ReLU and {@code qmin} without.
 * Results are new arrays.
 *
 * <p>Accumulators are Java ints: with {@code |x - zp| <= 255} and {@code |w| <= 128} a dot product
 * of up to 65,000 terms (plus a moderate bias) cannot overflow; beyond that it wraps, identically
 * in both implementations.
 */
public final class Int8Kernels {

    private Int8Kernels() {}

    /** Lazily initialised so the selection (and its one warning) happens on first use only. */
    private static final class Holder {
        static final Int8Impl IMPL;

        /** A bad configuration is remembered so every call reports it, not just the first. */
        static final RuntimeException FAILURE;

        static {
            Int8Impl impl = null;
            RuntimeException failure = null;
            try {
                impl = KernelSelector.load();
            } catch (RuntimeException e) {
                failure = e;
            }
            IMPL = impl;
            FAILURE = failure;
        }
    }

    /**
     * Warms the SIMD kernels up once per JVM (later calls return at once); {@code
     * Quantizer.quantize} and the JavaQuant engine's model load call it. Many short calls let C2
     * compile the products as whole methods before a model's long first pass would compile them
     * on-stack, which on JDK 17.0.21 could leave the Vector API unintrinsified and the JVM 5-10x
     * slower (see {@code KernelWarmUp}). It keeps calling for at least 200 ms and until the JIT has
     * been idle for 100 ms (at most 3 s). Set the system property {@value #WARM_UP_PROPERTY} to
     * {@code false} to skip it (the aarch64 check does, to keep its cold pass cold). Nothing to do
     * for the scalar kernels.
     */
    public static void warmUp() {
        WarmUp.ONCE.hashCode();
    }

    /** The system property that disables {@link #warmUp()} when {@code false}. */
    public static final String WARM_UP_PROPERTY = "djlquant.kernels.warmup";

    /** Runs the warm-up when first touched (class initialisation is once and thread-safe). */
    private static final class WarmUp {
        static final Object ONCE = new Object();

        static {
            // a bad kernel configuration is reported by the first real kernel call, not here
            Int8Impl impl = Holder.FAILURE == null ? Holder.IMPL : null;
            if (impl != null
                    && !"false".equalsIgnoreCase(System.getProperty(WARM_UP_PROPERTY))
                    && !(impl instanceof ScalarInt8Impl)) {
                KernelWarmUp.untilJitIdle(impl);
            }
        }
    }

    static Int8Impl impl() {
        if (Holder.FAILURE != null) {
            throw new IllegalStateException(Holder.FAILURE.getMessage(), Holder.FAILURE);
        }
        return Holder.IMPL;
    }

    /**
     * Name of the active implementation: {@code "scalar"} or {@code "simd"}.
     *
     * @throws IllegalStateException if {@code -Ddjlquant.kernels} is invalid or asks for simd
     *     without the Vector API module (every kernel call throws the same)
     */
    public static String implementationName() {
        return impl().name();
    }

    /** Sets the number of worker threads used by all kernels (default: available processors). */
    public static void setThreads(int threads) {
        KernelThreads.set(threads);
    }

    /** Current number of worker threads. */
    public static int getThreads() {
        return KernelThreads.get();
    }

    /**
     * Requantization multipliers {@code M[c] = inputScale * weightScale[c] / outputScale}, computed
     * in double and rounded to float (DESIGN.md).
     */
    public static float[] requantMultipliers(
            float inputScale, float[] weightScales, float outputScale) {
        Checks.notNull("weightScales", weightScales);
        Checks.scale("inputScale", inputScale);
        Checks.scale("outputScale", outputScale);
        for (int i = 0; i < weightScales.length; i++) {
            Checks.scale("weightScales[" + i + "]", weightScales[i]);
        }
        float[] m = new float[weightScales.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) ((double) inputScale * weightScales[i] / outputScale);
        }
        return m;
    }

    /**
     * Quantized 2-D convolution.
     *
     * @param x input, NCHW, length {@code batch*inChannels*inH*inW}
     * @param batch N
     * @param inChannels C, must equal {@code weights.inChannels()}
     * @param inH input height
     * @param inW input width
     * @param in input quantization (zero point used for padding and the correction; scale unused)
     * @param weights packed OIHW weights and bias
     * @param params stride/padding/dilation; output size per {@link ConvParams#outH}
     * @param multiplier per-output-channel requant multiplier (length outChannels, finite, &gt;= 0)
     * @param out output quantization (zero point and range used; scale unused)
     * @param relu fuse ReLU (clamp below at the output zero point)
     * @return output NCHW, length {@code batch*outChannels*outH*outW}
     */
    public static byte[] conv2d(
            byte[] x,
            int batch,
            int inChannels,
            int inH,
            int inW,
            ActivationQuant in,
            PackedConvWeights weights,
            ConvParams params,
            float[] multiplier,
            ActivationQuant out,
            boolean relu) {
        return conv2d(
                impl(), x, batch, inChannels, inH, inW, in, weights, params, multiplier, out, relu);
    }

    static byte[] conv2d(
            Int8Impl impl,
            byte[] x,
            int batch,
            int inChannels,
            int inH,
            int inW,
            ActivationQuant in,
            PackedConvWeights weights,
            ConvParams params,
            float[] multiplier,
            ActivationQuant out,
            boolean relu) {
        Checks.notNull("weights", weights);
        Checks.notNull("params", params);
        Checks.notNull("in", in);
        Checks.notNull("out", out);
        image(x, batch, inChannels, inH, inW);
        if (inChannels != weights.inChannels()) {
            throw new IllegalArgumentException(
                    "input has "
                            + inChannels
                            + " channels but the weights expect "
                            + weights.inChannels()
                            + " (groups "
                            + weights.groups()
                            + ")");
        }
        outputSize(params, inH, inW, weights.kernelH(), weights.kernelW());
        Checks.multipliers(multiplier, weights.outChannels());
        return ConvKernel.run(impl, x, batch, inH, inW, in, weights, params, multiplier, out, relu);
    }

    /**
     * Quantized linear layer {@code y[r] = requant(W (x[r] - zpIn) + bias)}.
     *
     * @param x input, row-major [rows, inFeatures]
     * @param rows number of rows (batch)
     * @param in input quantization (scale unused)
     * @param weights packed (out, in) weights and bias
     * @param multiplier per-output requant multiplier (length outFeatures, finite, &gt;= 0)
     * @param out output quantization (scale unused)
     * @param relu fuse ReLU
     * @return output row-major [rows, outFeatures]
     */
    public static byte[] linear(
            byte[] x,
            int rows,
            ActivationQuant in,
            PackedLinearWeights weights,
            float[] multiplier,
            ActivationQuant out,
            boolean relu) {
        return linear(impl(), x, rows, in, weights, multiplier, out, relu);
    }

    static byte[] linear(
            Int8Impl impl,
            byte[] x,
            int rows,
            ActivationQuant in,
            PackedLinearWeights weights,
            float[] multiplier,
            ActivationQuant out,
            boolean relu) {
        Checks.notNull("weights", weights);
        Checks.notNull("in", in);
        Checks.notNull("out", out);
        Checks.positive("rows", rows);
        Checks.length("x", x, (long) rows * weights.inFeatures());
        Checks.multipliers(multiplier, weights.outFeatures());
        return LinearKernel.run(impl, x, rows, in, weights, multiplier, out, relu);
    }

    /**
     * Elementwise quantized add of same-length arrays: {@code y = clamp(rint((fa + fb) / out.scale)
     * + out.zp, lo, qmax)} with {@code fa = (float) (a - a.zp) * a.scale} and all arithmetic in
     * float32.
     */
    public static byte[] add(
            byte[] a,
            ActivationQuant qa,
            byte[] b,
            ActivationQuant qb,
            ActivationQuant out,
            boolean relu) {
        binaryChecks(a, qa, b, qb, out);
        return ElementwiseKernels.binary(impl(), a, qa, b, qb, out, relu, false);
    }

    /** Elementwise quantized multiply; as {@link #add} with {@code fa * fb} in place of the sum. */
    public static byte[] mul(
            byte[] a,
            ActivationQuant qa,
            byte[] b,
            ActivationQuant qb,
            ActivationQuant out,
            boolean relu) {
        binaryChecks(a, qa, b, qb, out);
        return ElementwiseKernels.binary(impl(), a, qa, b, qb, out, relu, true);
    }

    /**
     * Max pooling (exact), NCHW; padded positions never win (a dilated window lying wholly in the
     * padding gives qmin). Requires padding &lt;= kernel/2.
     *
     * @return N x C x outH x outW with the input's quantization
     */
    public static byte[] maxPool2d(
            byte[] x,
            int batch,
            int channels,
            int h,
            int w,
            ActivationQuant q,
            int kernelH,
            int kernelW,
            ConvParams params) {
        poolChecks(x, batch, channels, h, w, q, kernelH, kernelW, params);
        return PoolKernels.max(impl(), x, batch, channels, h, w, q, kernelH, kernelW, params);
    }

    /**
     * Average pooling, NCHW, floor output size, dilation must be 1, padding &lt;= kernel/2. Output
     * {@code zp + roundHalfEven(sum(q - zp) / count)} where padding counts as the zero point and
     * {@code count} is {@code kernelH*kernelW} if {@code countIncludePad}, else the in-bounds taps.
     *
     * @return N x C x outH x outW with the input's quantization
     */
    public static byte[] avgPool2d(
            byte[] x,
            int batch,
            int channels,
            int h,
            int w,
            ActivationQuant q,
            int kernelH,
            int kernelW,
            ConvParams params,
            boolean countIncludePad) {
        poolChecks(x, batch, channels, h, w, q, kernelH, kernelW, params);
        if (params.dilationH() != 1 || params.dilationW() != 1) {
            throw new IllegalArgumentException(
                    "avgPool2d does not support dilation, got "
                            + params.dilationH()
                            + "x"
                            + params.dilationW());
        }
        return PoolKernels.avg(
                x, batch, channels, h, w, q, kernelH, kernelW, params, countIncludePad);
    }

    /**
     * Global average pooling NCHW to N x C, rounding as in {@link #avgPool2d}; keeps the input's
     * quantization.
     */
    public static byte[] globalAvgPool2d(
            byte[] x, int batch, int channels, int h, int w, ActivationQuant q) {
        Checks.notNull("q", q);
        image(x, batch, channels, h, w);
        return PoolKernels.globalAvg(x, batch, channels, h, w, q);
    }

    /** {@code q = clamp(rint(x / scale) + zp, qmin, qmax)} in float32; NaN gives the zero point. */
    public static byte[] quantize(float[] x, ActivationQuant q) {
        Checks.notNull("x", x);
        Checks.notNull("q", q);
        return ElementwiseKernels.quantize(impl(), x, q);
    }

    /** {@code (q - zp) * scale} in float32. */
    public static float[] dequantize(byte[] x, ActivationQuant q) {
        Checks.notNull("x", x);
        Checks.notNull("q", q);
        return ElementwiseKernels.dequantize(x, q);
    }

    private static void image(byte[] x, int batch, int channels, int h, int w) {
        Checks.positive("batch", batch);
        Checks.positive("channels", channels);
        Checks.positive("height", h);
        Checks.positive("width", w);
        Checks.length("x", x, (long) batch * channels * h * w);
    }

    private static void outputSize(ConvParams p, int h, int w, int kh, int kw) {
        if (p.outH(h, kh) <= 0 || p.outW(w, kw) <= 0) {
            throw new IllegalArgumentException(
                    "kernel "
                            + kh
                            + "x"
                            + kw
                            + " (dilation "
                            + p.dilationH()
                            + "x"
                            + p.dilationW()
                            + ") does not fit the padded input "
                            + (h + 2 * p.padH())
                            + "x"
                            + (w + 2 * p.padW()));
        }
    }

    private static void binaryChecks(
            byte[] a, ActivationQuant qa, byte[] b, ActivationQuant qb, ActivationQuant out) {
        Checks.notNull("a", a);
        Checks.notNull("b", b);
        Checks.notNull("qa", qa);
        Checks.notNull("qb", qb);
        Checks.notNull("out", out);
        Checks.length("b", b.length, a.length);
    }

    private static void poolChecks(
            byte[] x,
            int batch,
            int channels,
            int h,
            int w,
            ActivationQuant q,
            int kh,
            int kw,
            ConvParams p) {
        Checks.notNull("q", q);
        Checks.notNull("params", p);
        Checks.positive("kernelH", kh);
        Checks.positive("kernelW", kw);
        image(x, batch, channels, h, w);
        if (p.padH() > kh / 2 || p.padW() > kw / 2) {
            throw new IllegalArgumentException(
                    "padding "
                            + p.padH()
                            + "x"
                            + p.padW()
                            + " must be at most half the kernel "
                            + kh
                            + "x"
                            + kw);
        }
        outputSize(p, h, w, kh, kw);
    }
}
