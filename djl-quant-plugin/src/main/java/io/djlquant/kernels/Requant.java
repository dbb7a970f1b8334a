package io.djlquant.kernels;

/** Rounding and saturation shared by every kernel (one place, so all implementations agree). */
final class Requant {

    private Requant() {}

    /**
     * DESIGN.md requantization: {@code clamp(rint(acc * m) + zp, lo, hi)}. {@code acc * m} is a float
     * product (acc converted to float with round-to-nearest), rounded half-to-even.
     */
    static byte requant(int acc, float m, int zp, int lo, int hi) {
        float prod = acc * m;
        // Clamp in double: no int overflow for huge products.
        double r = Math.rint(prod) + zp;
        if (r <= lo) {
            return (byte) lo;
        }
        if (r >= hi) {
            return (byte) hi;
        }
        return (byte) (int) r;
    }

    /** Quantize one float: {@code clamp(rint(x / scale) + zp, lo, hi)} in float; NaN maps to zp. */
    static byte quantize(float x, float scale, int zp, int lo, int hi) {
        float v = x / scale;
        if (v != v) {
            return (byte) Math.max(lo, Math.min(hi, zp));
        }
        double r = Math.rint(v) + zp;
        if (r <= lo) {
            return (byte) lo;
        }
        if (r >= hi) {
            return (byte) hi;
        }
        return (byte) (int) r;
    }

    /** Exact {@code num / den} rounded half-to-even; {@code den > 0}. */
    static long divRoundHalfEven(long num, long den) {
        long q = Math.floorDiv(num, den);
        long twiceRem = 2 * (num - q * den);
        if (twiceRem > den || (twiceRem == den && (q & 1) != 0)) {
            q++;
        }
        return q;
    }

    /** Lower clamp bound: the zero point when ReLU is fused, qmin otherwise. */
    static int lower(ActivationQuant out, boolean relu) {
        return relu ? Math.max(out.qmin(), out.zeroPoint()) : out.qmin();
    }
}
