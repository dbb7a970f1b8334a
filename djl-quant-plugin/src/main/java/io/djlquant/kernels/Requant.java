package io.djlquant.kernels;

/** Rounding and saturation shared by every kernel (one place, so all implementations agree). */
final class Requant {

    private Requant() {}

    /** Beyond this magnitude every result saturates (|zp| and the byte range are far smaller). */
    private static final float LIMIT = 4194304f; // 2^22

    /** 1.5 * 2^23: adding it leaves no fraction bits, so the FPU rounds half-to-even for us. */
    private static final float MAGIC = 12582912f;

    /**
     * DESIGN.md requantization: {@code clamp(rint(acc * m) + zp, lo, hi)}. {@code acc * m} is a
     * float product (acc converted to float with round-to-nearest), rounded half-to-even.
     */
    static byte requant(int acc, float m, int zp, int lo, int hi) {
        return saturate(roundHalfEven(acc * m) + zp, lo, hi);
    }

    /**
     * {@code Math.rint(v)} for finite or infinite v, clamped to +-2^22: for |v| &lt;= 2^22 the sum
     * {@code v + 1.5*2^23} lies in [2^23, 2^24] where floats are exactly the integers, so the
     * addition itself rounds half-to-even (1.5*2^23 is even). Much faster than Math.rint on
     * doubles.
     */
    static int roundHalfEven(float v) {
        // Math.min/max compile to branch-free min/max instructions; ternaries here were 5x slower
        // because saturating outputs (ReLU) make branches unpredictable. v is never NaN here.
        float c = Math.max(-LIMIT, Math.min(LIMIT, v));
        return (int) ((c + MAGIC) - MAGIC);
    }

    static byte saturate(int v, int lo, int hi) {
        return (byte) Math.min(hi, Math.max(lo, v));
    }

    /** Quantize one float: {@code clamp(rint(x / scale) + zp, lo, hi)} in float; NaN maps to zp. */
    static byte quantize(float x, float scale, int zp, int lo, int hi) {
        float v = x / scale;
        if (v != v) {
            return saturate(zp, lo, hi);
        }
        return saturate(roundHalfEven(v) + zp, lo, hi);
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
