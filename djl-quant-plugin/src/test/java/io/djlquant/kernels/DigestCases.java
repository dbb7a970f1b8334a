package io.djlquant.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The fixed, seeded kernel calls compared across architectures. Shapes are chosen around vector
 * widths (4, 8 and 16 int lanes: AVX2, NEON/AVX-512, SVE-512) so every full-vector loop, two-vector
 * block and scalar tail is reached on every machine; java.util.Random is specified bit-exactly, so
 * every JVM builds the same inputs.
 */
final class DigestCases {

    /** Sizes on either side of 4, 8, 16, 32 and 64 lanes. */
    private static final int[] TAIL_SIZES = {
        1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65
    };

    private DigestCases() {}

    /** Every case, in a fixed order. */
    static List<DigestCase> all() {
        List<DigestCase> cases = new ArrayList<>();
        conv(cases);
        linear(cases);
        gemmWrap(cases);
        gemmPairs(cases);
        elementwise(cases);
        pools(cases);
        quantize(cases);
        return cases;
    }

    /** Activation parameters of the byte formats the kernels accept, including the narrow ones. */
    private static ActivationQuant act(Random r) {
        float scale = 0.01f + r.nextFloat() * 0.1f;
        switch (r.nextInt(5)) {
            case 0:
                return ActivationQuant.uint8(scale, r.nextInt(256));
            case 1:
                return ActivationQuant.int8(scale, r.nextInt(256) - 128);
            case 2:
                return new ActivationQuant(scale, 0, -127, 127); // QINT8_NARROW
            case 3:
                return new ActivationQuant(scale * 16, r.nextInt(16), 0, 15); // QUINT4
            default:
                return new ActivationQuant(scale * 16, r.nextInt(16) - 8, -8, 7); // QINT4
        }
    }

    private static void conv(List<DigestCase> cases) {
        Random r = new Random(1001);
        for (int i = 0; i < 52; i++) {
            int kind = i % 4; // 0 dense, 1 grouped, 2 depthwise (multiplier 1 or 2), 3 dense 1x1
            // or wide kernel
            int groups = kind == 1 ? 2 + r.nextInt(2) : 1;
            int c = groups * (1 + r.nextInt(kind == 0 ? 9 : 4));
            int oc = groups * (1 + r.nextInt(kind == 0 ? 40 : 6));
            if (kind == 2) {
                groups = c;
                oc = c * (1 + r.nextInt(2));
            }
            int kh = kind == 3 && r.nextBoolean() ? 1 : 1 + r.nextInt(5);
            int kw = kind == 3 && r.nextBoolean() ? 1 : 1 + r.nextInt(5);
            int stride = i % 5 == 0 ? 1 + r.nextInt(3) : 1;
            int strideW = kind == 2 && i % 3 == 0 ? 1 : stride;
            int padH = r.nextInt(kh / 2 + 2); // sometimes beyond kernel/2
            int padW = r.nextInt(kw / 2 + 2);
            int dil = i % 6 == 5 ? 2 : 1;
            ConvParams p = new ConvParams(stride, strideW, padH, padW, dil, dil);
            int w = Math.max(TAIL_SIZES[r.nextInt(TAIL_SIZES.length)], dil * (kw - 1) + 1);
            int h = Math.max(1 + r.nextInt(9), dil * (kh - 1) + 1);
            int n = 1 + r.nextInt(2);
            if (i >= 48) {
                // batches of small maps (BatchInnerConv), and 3x3 kernels on maps where taps read
                // only padding
                kh = 3;
                kw = 3;
                p = ConvParams.of(1 + (i & 1), 1, 1);
                h = 1 + r.nextInt(4);
                w = 1 + r.nextInt(4);
                n = 16 + r.nextInt(24);
                groups = 1;
            }
            ActivationQuant in = act(r);
            ActivationQuant out = act(r);
            boolean relu = r.nextBoolean();
            boolean bias = r.nextBoolean();
            float boost = i % 7 == 3 ? 40f : 1f;
            int cg = c / groups;
            int k = cg * kh * kw;
            byte[] x = TestData.bytes(r, n * c * h * w, in);
            byte[] wt = TestData.bytes(r, oc * k);
            int[] b = bias ? TestData.ints(r, oc, 20000) : null;
            float[] m = TestData.multipliers(r, oc, k, boost);
            PackedConvWeights pw = PackedConvWeights.pack(wt, oc, c, kh, kw, groups, b);
            int fn = n;
            int fc = c;
            int fh = h;
            int fw = w;
            ConvParams fp = p;
            String desc =
                    String.format(
                            "n%d c%d h%d w%d oc%d k%dx%d g%d %s in=%s out=%s relu=%b strategy=%s",
                            n,
                            c,
                            h,
                            w,
                            oc,
                            kh,
                            kw,
                            groups,
                            p,
                            in,
                            out,
                            relu,
                            ConvKernel.strategy(pw, p, n, h, w));
            cases.add(
                    DigestCase.of(
                            String.format("conv/%02d", i),
                            desc,
                            impl ->
                                    Int8Kernels.conv2d(
                                            impl, x, fn, fc, fh, fw, in, pw, fp, m, out, relu),
                            x,
                            wt,
                            b,
                            m));
        }
    }

    private static void linear(List<DigestCase> cases) {
        Random r = new Random(1002);
        int[] inSizes = {1, 3, 4, 5, 8, 9, 15, 16, 17, 33, 63, 64, 65, 127, 129, 257, 513};
        int i = 0;
        for (int inF : inSizes) {
            for (int outF : new int[] {1, 3, 4, 5, 9}) {
                int rows = 1 + r.nextInt(3);
                ActivationQuant in = act(r);
                ActivationQuant out = act(r);
                byte[] x = TestData.bytes(r, rows * inF, in);
                byte[] wt = TestData.bytes(r, outF * inF);
                int[] b = r.nextBoolean() ? TestData.ints(r, outF, 30000) : null;
                float[] m = TestData.multipliers(r, outF, inF, i % 5 == 4 ? 60f : 1f);
                boolean relu = r.nextBoolean();
                PackedLinearWeights pw = PackedLinearWeights.pack(wt, outF, inF, b);
                String desc =
                        String.format(
                                "rows%d in%d out%d in=%s out=%s relu=%b",
                                rows, inF, outF, in, out, relu);
                cases.add(
                        DigestCase.of(
                                String.format("linear/%02d", i++),
                                desc,
                                impl -> Int8Kernels.linear(impl, x, rows, in, pw, m, out, relu),
                                x,
                                wt,
                                b,
                                m));
            }
        }
    }

    /**
     * The raw int32 products with int8 weights and activations far outside the byte range, so
     * accumulators overflow: Java int arithmetic wraps the same way in scalar code and on every
     * vector unit.
     */
    private static void gemmWrap(List<DigestCase> cases) {
        Random r = new Random(1003);
        for (int i = 0; i < 6; i++) {
            int m = 1 + r.nextInt(9);
            int k = TAIL_SIZES[r.nextInt(TAIL_SIZES.length)] + 40;
            int n = TAIL_SIZES[r.nextInt(TAIL_SIZES.length)];
            byte[] w = new byte[m * k]; // weights are int8; full-range int operands still wrap
            r.nextBytes(w);
            int[] x = randomInts(r, k);
            cases.add(
                    DigestCase.of(
                            String.format("gemmDot/%d", i),
                            "m" + m + " k" + k + " wrapping",
                            impl -> {
                                int[] acc = new int[m + 3];
                                impl.gemmDot(w, 0, m, k, x, 0, acc, 3);
                                return DigestCase.le(acc);
                            },
                            w,
                            x));
            // Rows overlap (shifted views), as in the shifted convolution.
            int[] col = randomInts(r, k + n + 7);
            int[] rowOff = new int[k];
            for (int kk = 0; kk < k; kk++) {
                rowOff[kk] = r.nextInt(8 + k - kk);
            }
            cases.add(
                    DigestCase.of(
                            String.format("gemmBroadcast/%d", i),
                            "m" + m + " k" + k + " n" + n + " wrapping",
                            impl -> {
                                int[] acc = new int[m * n];
                                impl.gemmBroadcast(w, 0, m, k, col, rowOff, n, acc);
                                return DigestCase.le(acc);
                            },
                            w,
                            col,
                            rowOff));
        }
    }

    /**
     * The pair product on its valid ranges (int8 weights, unsigned 8-bit activations), every block
     * and tail.
     */
    private static void gemmPairs(List<DigestCase> cases) {
        Random r = new Random(1005);
        for (int i = 0; i < 10; i++) {
            int m = 1 + r.nextInt(13);
            int kp = 1 + r.nextInt(30);
            int n = TAIL_SIZES[r.nextInt(TAIL_SIZES.length)] + (i % 2) * 64;
            int[] w = new int[m * kp];
            for (int j = 0; j < w.length; j++) {
                w[j] = r.nextInt(256) | ((r.nextInt(256) - 128) << 16);
            }
            int[] col = new int[n + 18];
            for (int j = 0; j < col.length; j++) {
                col[j] = r.nextInt(256) | r.nextInt(256) << 16;
            }
            int[] rowOff = new int[kp];
            for (int t = 0; t < kp; t++) {
                rowOff[t] = r.nextInt(19); // overlapping rows, odd offsets too
            }
            cases.add(
                    DigestCase.of(
                            String.format("gemmPairs/%d", i),
                            "m" + m + " kp" + kp + " n" + n,
                            impl -> {
                                int[] acc = new int[m * n];
                                impl.gemmPairs(w, 0, m, kp, col, rowOff, n, acc);
                                return DigestCase.le(acc);
                            },
                            w,
                            col,
                            rowOff));
        }
    }

    private static int[] randomInts(Random r, int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt();
        }
        return v;
    }

    private static void elementwise(List<DigestCase> cases) {
        Random r = new Random(1004);
        for (int i = 0; i < 12; i++) {
            int n = i == 0 ? 70_001 : TAIL_SIZES[r.nextInt(TAIL_SIZES.length)] * (1 + r.nextInt(3));
            ActivationQuant qa = act(r);
            ActivationQuant qb = act(r);
            ActivationQuant qo = i % 4 == 0 ? ActivationQuant.int8(0.001f, 3) : act(r);
            byte[] a = TestData.bytes(r, n, qa);
            byte[] b = TestData.bytes(r, n, qb);
            boolean relu = r.nextBoolean();
            boolean mul = i % 2 == 1;
            String desc =
                    (mul ? "mul" : "add")
                            + " n"
                            + n
                            + " a="
                            + qa
                            + " b="
                            + qb
                            + " out="
                            + qo
                            + " relu="
                            + relu;
            cases.add(
                    DigestCase.of(
                            String.format("elementwise/%02d", i),
                            desc,
                            impl ->
                                    mul
                                            ? Int8Kernels.mul(a, qa, b, qb, qo, relu)
                                            : Int8Kernels.add(a, qa, b, qb, qo, relu),
                            a,
                            b));
        }
    }

    private static void pools(List<DigestCase> cases) {
        Random r = new Random(1005);
        for (int i = 0; i < 12; i++) {
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(9);
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int dil = i % 4 == 0 ? 2 : 1;
            ConvParams p =
                    new ConvParams(
                            1 + r.nextInt(3),
                            1 + r.nextInt(3),
                            r.nextInt(kh / 2 + 1),
                            r.nextInt(kw / 2 + 1),
                            dil,
                            dil);
            ConvParams plain = new ConvParams(p.strideH(), p.strideW(), p.padH(), p.padW(), 1, 1);
            int h = dil * (kh - 1) + 1 + r.nextInt(9);
            int w = Math.max(dil * (kw - 1) + 1, TAIL_SIZES[r.nextInt(TAIL_SIZES.length)]);
            ActivationQuant q = act(r);
            byte[] x = TestData.bytes(r, n * c * h * w, q);
            boolean includePad = r.nextBoolean();
            String shape =
                    "n" + n + " c" + c + " h" + h + " w" + w + " k" + kh + "x" + kw + " q=" + q;
            String name = String.format("pool/%02d/", i);
            cases.add(
                    DigestCase.of(
                            name + "max",
                            shape + " " + p,
                            impl -> Int8Kernels.maxPool2d(x, n, c, h, w, q, kh, kw, p),
                            x));
            cases.add(
                    DigestCase.of(
                            name + "avg",
                            shape + " " + plain + " includePad=" + includePad,
                            impl ->
                                    Int8Kernels.avgPool2d(
                                            x, n, c, h, w, q, kh, kw, plain, includePad),
                            x));
            cases.add(
                    DigestCase.of(
                            name + "global",
                            shape,
                            impl -> Int8Kernels.globalAvgPool2d(x, n, c, h, w, q),
                            x));
        }
    }

    private static void quantize(List<DigestCase> cases) {
        Random r = new Random(1006);
        float[] special = {
            0f,
            -0f,
            0.5f,
            1.5f,
            2.5f,
            -0.5f,
            -2.5f,
            0.49999997f,
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE,
            -Float.MAX_VALUE,
            4194303.5f,
            1e-30f
        };
        for (int i = 0; i < 8; i++) {
            ActivationQuant q = act(r);
            int n = TAIL_SIZES[r.nextInt(TAIL_SIZES.length)] + special.length;
            float[] x = new float[n];
            for (int j = 0; j < n; j++) {
                // Exact multiples of half the scale hit the rounding ties.
                x[j] =
                        j < special.length
                                ? special[j] * q.scale()
                                : (r.nextInt(600) - 300) * 0.5f * q.scale()
                                        + (i % 2 == 0 ? 0f : (float) r.nextGaussian());
            }
            byte[] qx = TestData.bytes(r, n, q);
            cases.add(
                    DigestCase.of(
                            String.format("quantize/%d", i),
                            "n" + n + " q=" + q,
                            impl -> Int8Kernels.quantize(x, q),
                            x));
            cases.add(
                    DigestCase.of(
                            String.format("dequantize/%d", i),
                            "n" + n + " q=" + q,
                            impl -> DigestCase.le(Int8Kernels.dequantize(qx, q)),
                            qx));
        }
    }
}
