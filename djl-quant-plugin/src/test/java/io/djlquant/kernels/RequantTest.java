package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fast half-even rounding in {@link Requant} agrees with Math.rint, including ties and
 * extremes.
 */
class RequantTest {

    private static int viaRint(float v, int zp, int lo, int hi) {
        double r = Math.rint(v) + zp;
        return (int) Math.max(lo, Math.min(hi, r));
    }

    @Test
    void matchesRintOnTiesAndLargeValues() {
        float[] special = {
            0f,
            -0f,
            0.5f,
            1.5f,
            2.5f,
            -0.5f,
            -1.5f,
            -2.5f,
            0.49999997f,
            4194303.5f,
            -4194303.5f,
            4194304f,
            4194305f,
            8388607.5f,
            1e30f,
            -1e30f,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE
        };
        for (float v : special) {
            for (int zp : new int[] {-128, 0, 5, 255}) {
                int[][] ranges = {{-128, 127}, {0, 255}, {-1 << 30, 1 << 30}};
                for (int[] lh : ranges) {
                    int expected = viaRint(v, zp, lh[0], lh[1]);
                    if (Math.abs(expected - zp) <= (1 << 22)) { // within the documented exact range
                        assertEquals(
                                expected,
                                Math.max(lh[0], Math.min(lh[1], Requant.roundHalfEven(v) + zp)),
                                "v=" + v + " zp=" + zp);
                    }
                }
            }
        }
    }

    @Test
    void requantMatchesRintFormulaOnRandomInputs() {
        Random r = new Random(40);
        for (int i = 0; i < 200_000; i++) {
            int acc = i % 2 == 0 ? r.nextInt() : r.nextInt(2001) - 1000;
            float m = i % 3 == 0 ? 0.5f : (float) Math.scalb(r.nextFloat(), -r.nextInt(20));
            int zp = r.nextInt(256) - (i % 2 == 0 ? 0 : 128);
            int lo = zp >= 0 ? 0 : -128;
            int hi = lo + 255;
            byte expected = (byte) viaRint(acc * m, zp, lo, hi);
            assertEquals(
                    expected,
                    Requant.requant(acc, m, zp, lo, hi),
                    "acc=" + acc + " m=" + m + " zp=" + zp);
        }
    }

    @Test
    void divRoundHalfEven() {
        long[][] cases = {
            {1, 2, 0},
            {3, 2, 2},
            {5, 2, 2},
            {-1, 2, 0},
            {-3, 2, -2},
            {-5, 2, -2},
            {7, 3, 2},
            {-7, 3, -2},
            {8, 3, 3},
            {0, 9, 0}
        };
        for (long[] c : cases) {
            assertEquals(c[2], Requant.divRoundHalfEven(c[0], c[1]), c[0] + "/" + c[1]);
        }
    }
}
