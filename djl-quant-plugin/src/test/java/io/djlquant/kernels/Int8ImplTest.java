package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The two raw products, scalar against SIMD against a plain triple loop, over every register-block
 * remainder (channel counts around multiples of 6 and 2, pixel counts around multiples of the vector
 * length) and extreme values (weights -128/127, activations +-255).
 */
class Int8ImplTest {

    private static int pick(Random r, boolean extreme, int lo, int hi) {
        if (extreme) {
            return r.nextBoolean() ? lo : hi;
        }
        return lo + r.nextInt(hi - lo + 1);
    }

    @Test
    void gemmBroadcastMatchesPlainLoopForAllBlockRemainders() {
        Random r = new Random(11);
        for (int m = 1; m <= 14; m++) {
            for (int n : new int[] {1, 7, 8, 15, 16, 17, 31, 33, 47, 64}) {
                int k = 1 + r.nextInt(20);
                boolean extreme = (m + n) % 3 == 0;
                int wOff = r.nextInt(5);
                byte[] w = new byte[wOff + m * k];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (byte) pick(r, extreme, -128, 127);
                }
                int[] rowOff = new int[k];
                int span = 3 * n + 10;
                for (int kk = 0; kk < k; kk++) {
                    rowOff[kk] = r.nextInt(span - n + 1); // rows may overlap, as in shifted views
                }
                int[] col = new int[span];
                for (int i = 0; i < span; i++) {
                    col[i] = pick(r, extreme, -255, 255);
                }
                int[] expected = new int[m * n];
                for (int j = 0; j < m; j++) {
                    for (int p = 0; p < n; p++) {
                        int s = 0;
                        for (int kk = 0; kk < k; kk++) {
                            s += w[wOff + j * k + kk] * col[rowOff[kk] + p];
                        }
                        expected[j * n + p] = s;
                    }
                }
                for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                    int[] acc = new int[m * n + 3];
                    java.util.Arrays.fill(acc, 12345); // every cell must be overwritten
                    impl.gemmBroadcast(w, wOff, m, k, col, rowOff, n, acc);
                    assertArrayEquals(expected, java.util.Arrays.copyOf(acc, m * n),
                            impl.name() + " m=" + m + " n=" + n + " k=" + k);
                }
            }
        }
    }

    @Test
    void gemmDotMatchesPlainLoop() {
        Random r = new Random(12);
        for (int m = 1; m <= 9; m++) {
            for (int k : new int[] {1, 7, 8, 9, 16, 17, 40, 67}) {
                boolean extreme = (m * k) % 2 == 0;
                byte[] w = new byte[2 + m * k];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (byte) pick(r, extreme, -128, 127);
                }
                int[] x = new int[3 + k];
                for (int i = 0; i < x.length; i++) {
                    x[i] = pick(r, extreme, -255, 255);
                }
                int[] expected = new int[1 + m];
                for (int j = 0; j < m; j++) {
                    for (int i = 0; i < k; i++) {
                        expected[1 + j] += w[2 + j * k + i] * x[3 + i];
                    }
                }
                for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                    int[] acc = new int[1 + m];
                    impl.gemmDot(w, 2, m, k, x, 3, acc, 1);
                    assertArrayEquals(expected, acc, impl.name() + " m=" + m + " k=" + k);
                }
            }
        }
    }
}
