package io.djlquant.kernels;

/**
 * Naive reference kernels written straight from the DESIGN.md formulas (one output element at a
 * time, no tiling, no zero-point tricks). Requantization uses the same float formula as production.
 */
final class Reference {

    private Reference() {}

    static int value(byte b, ActivationQuant q) {
        return q.qmin() < 0 ? (int) b : Byte.toUnsignedInt(b);
    }

    static byte clampToByte(double v, int lo, int hi) {
        double c = Math.min(hi, Math.max(lo, v));
        return (byte) (int) c;
    }

    static byte requant(long acc, float m, ActivationQuant out, boolean relu) {
        float prod = (float) (int) acc * m;
        int lo = relu ? Math.max(out.qmin(), out.zeroPoint()) : out.qmin();
        return clampToByte(Math.rint(prod) + out.zeroPoint(), lo, out.qmax());
    }

    static byte quantize(float v, ActivationQuant out, boolean relu) {
        int lo = relu ? Math.max(out.qmin(), out.zeroPoint()) : out.qmin();
        float d = v / out.scale();
        if (Float.isNaN(d)) {
            return (byte) out.zeroPoint();
        }
        return clampToByte(Math.rint(d) + out.zeroPoint(), lo, out.qmax());
    }

    static byte[] conv2d(
            byte[] x,
            int n,
            int c,
            int h,
            int w,
            ActivationQuant in,
            byte[] wt,
            int oc,
            int kh,
            int kw,
            int groups,
            int[] bias,
            ConvParams p,
            float[] m,
            ActivationQuant out,
            boolean relu) {
        int oh = p.outH(h, kh);
        int ow = p.outW(w, kw);
        int cg = c / groups;
        int ocg = oc / groups;
        byte[] y = new byte[n * oc * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < oc; o++) {
                int g = o / ocg;
                for (int yy = 0; yy < oh; yy++) {
                    for (int xx = 0; xx < ow; xx++) {
                        long acc = bias == null ? 0 : bias[o];
                        for (int ic = 0; ic < cg; ic++) {
                            int ch = g * cg + ic;
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = yy * p.strideH() - p.padH() + i * p.dilationH();
                                    int ix = xx * p.strideW() - p.padW() + j * p.dilationW();
                                    // Zero padding means the input zero point (real value 0).
                                    int v =
                                            (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                                    ? in.zeroPoint()
                                                    : value(
                                                            x[((b * c + ch) * h + iy) * w + ix],
                                                            in);
                                    int wv = wt[((o * cg + ic) * kh + i) * kw + j];
                                    acc += (long) wv * (v - in.zeroPoint());
                                }
                            }
                        }
                        y[((b * oc + o) * oh + yy) * ow + xx] = requant(acc, m[o], out, relu);
                    }
                }
            }
        }
        return y;
    }

    static byte[] linear(
            byte[] x,
            int rows,
            int inF,
            ActivationQuant in,
            byte[] wt,
            int outF,
            int[] bias,
            float[] m,
            ActivationQuant out,
            boolean relu) {
        byte[] y = new byte[rows * outF];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outF; o++) {
                long acc = bias == null ? 0 : bias[o];
                for (int i = 0; i < inF; i++) {
                    acc += (long) wt[o * inF + i] * (value(x[r * inF + i], in) - in.zeroPoint());
                }
                y[r * outF + o] = requant(acc, m[o], out, relu);
            }
        }
        return y;
    }

    static float dequant(byte b, ActivationQuant q) {
        return (value(b, q) - q.zeroPoint()) * q.scale();
    }

    static byte[] binary(
            byte[] a,
            ActivationQuant qa,
            byte[] b,
            ActivationQuant qb,
            ActivationQuant out,
            boolean relu,
            boolean mul) {
        byte[] y = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            float fa = dequant(a[i], qa);
            float fb = dequant(b[i], qb);
            y[i] = quantize(mul ? fa * fb : fa + fb, out, relu);
        }
        return y;
    }

    static byte[] maxPool(
            byte[] x, int n, int c, int h, int w, ActivationQuant q, int kh, int kw, ConvParams p) {
        int oh = p.outH(h, kh);
        int ow = p.outW(w, kw);
        byte[] y = new byte[n * c * oh * ow];
        for (int pl = 0; pl < n * c; pl++) {
            for (int yy = 0; yy < oh; yy++) {
                for (int xx = 0; xx < ow; xx++) {
                    Integer best = null;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            int iy = yy * p.strideH() - p.padH() + i * p.dilationH();
                            int ix = xx * p.strideW() - p.padW() + j * p.dilationW();
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                int v = value(x[(pl * h + iy) * w + ix], q);
                                best = best == null ? v : Math.max(best, v);
                            }
                        }
                    }
                    y[(pl * oh + yy) * ow + xx] = (byte) (best == null ? q.qmin() : best);
                }
            }
        }
        return y;
    }

    /** Round-half-even integer division via BigDecimal, independent of the production helper. */
    static long divHalfEven(long num, long den) {
        return new java.math.BigDecimal(num)
                .divide(new java.math.BigDecimal(den), 0, java.math.RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    static byte[] avgPool(
            byte[] x,
            int n,
            int c,
            int h,
            int w,
            ActivationQuant q,
            int kh,
            int kw,
            ConvParams p,
            boolean includePad) {
        int oh = p.outH(h, kh);
        int ow = p.outW(w, kw);
        byte[] y = new byte[n * c * oh * ow];
        for (int pl = 0; pl < n * c; pl++) {
            for (int yy = 0; yy < oh; yy++) {
                for (int xx = 0; xx < ow; xx++) {
                    long sum = 0;
                    int cnt = 0;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            int iy = yy * p.strideH() - p.padH() + i;
                            int ix = xx * p.strideW() - p.padW() + j;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                sum += value(x[(pl * h + iy) * w + ix], q) - q.zeroPoint();
                                cnt++;
                            }
                        }
                    }
                    long avg = divHalfEven(sum, includePad ? kh * kw : cnt) + q.zeroPoint();
                    y[(pl * oh + yy) * ow + xx] = clampToByte(avg, q.qmin(), q.qmax());
                }
            }
        }
        return y;
    }
}
