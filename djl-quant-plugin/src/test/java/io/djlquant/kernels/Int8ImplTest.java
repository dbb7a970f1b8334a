package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The two raw products, scalar against SIMD against a plain triple loop, over every register-block
 * remainder (channel counts around multiples of 6 and 2, pixel counts around multiples of the
 * vector length) and extreme values (weights -128/127, activations +-255).
 */
class Int8ImplTest {

    private static int pick(Random r, boolean extreme, int lo, int hi) {
        if (extreme) {
            return r.nextBoolean() ? lo : hi;
        }
        return lo + r.nextInt(hi - lo + 1);
    }

    @Test
    void warmUpWatchesMethodsThatExist() {
        // the aarch64 check waits for C2 code of these names; a renamed block must not make it wait
        // forever
        java.util.Set<String> declared = new java.util.HashSet<>();
        for (java.lang.reflect.Method m : PanamaInt8Impl.class.getDeclaredMethods()) {
            declared.add(m.getName());
        }
        for (String name : SimdWarmUp.VECTOR_METHODS) {
            assertTrue(declared.contains(name), "PanamaInt8Impl has no method " + name);
        }
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
                    assertArrayEquals(
                            expected,
                            java.util.Arrays.copyOf(acc, m * n),
                            impl.name() + " m=" + m + " n=" + n + " k=" + k);
                }
            }
        }
    }

    /** A weight pair as {@link Int8Impl#gemmPairs} takes it. */
    private static int weightPair(int w0, int w1) {
        return (w0 + 128) | (w1 << 16);
    }

    @Test
    void gemmPairsMatchesPlainLoopForAllBlockRemainders() {
        Random r = new Random(14);
        for (int m = 1; m <= 13; m++) {
            for (int n : new int[] {1, 3, 4, 8, 15, 16, 17, 31, 32, 33, 47, 64, 70}) {
                int kp = 1 + r.nextInt(12);
                boolean extreme = (m + n) % 3 == 0;
                int wOff = r.nextInt(5);
                int[] w0 = new int[wOff + m * kp];
                int[] w1 = new int[w0.length];
                int[] w = new int[w0.length];
                for (int i = 0; i < w.length; i++) {
                    w0[i] = pick(r, extreme, -128, 127);
                    w1[i] = pick(r, extreme, -128, 127);
                    w[i] = weightPair(w0[i], w1[i]);
                }
                int[] rowOff = new int[kp];
                int span = 3 * n + 10;
                for (int t = 0; t < kp; t++) {
                    rowOff[t] = r.nextInt(span - n + 1); // rows may overlap, as in shifted views
                }
                int[] u0 = new int[span];
                int[] u1 = new int[span];
                int[] col = new int[span];
                for (int i = 0; i < span; i++) {
                    u0[i] = pick(r, extreme, 0, 255);
                    u1[i] = pick(r, extreme, 0, 255);
                    col[i] = u0[i] | u1[i] << 16;
                }
                int[] expected = new int[m * n];
                for (int j = 0; j < m; j++) {
                    for (int p = 0; p < n; p++) {
                        int s = 0;
                        for (int t = 0; t < kp; t++) {
                            int wi = wOff + j * kp + t;
                            s += w0[wi] * u0[rowOff[t] + p] + w1[wi] * u1[rowOff[t] + p];
                        }
                        expected[j * n + p] = s;
                    }
                }
                for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                    int[] acc = new int[m * n + 3];
                    java.util.Arrays.fill(acc, 12345); // every cell must be overwritten
                    impl.gemmPairs(w, wOff, m, kp, col, rowOff, n, acc);
                    assertArrayEquals(
                            expected,
                            java.util.Arrays.copyOf(acc, m * n),
                            impl.name() + " m=" + m + " n=" + n + " kp=" + kp);
                }
            }
        }
    }

    @Test
    void gemmPairsWrapsLikeIntArithmetic() {
        // Long reductions of extreme products overflow int32: both implementations must wrap alike.
        int kp = 70_000;
        int m = 5;
        int n = 37;
        int[] w = new int[m * kp];
        java.util.Arrays.fill(w, weightPair(-128, -128));
        int[] col = new int[n + 1];
        java.util.Arrays.fill(col, 255 | 255 << 16);
        int[] rowOff = new int[kp];
        for (int t = 0; t < kp; t++) {
            rowOff[t] = t % 2;
        }
        int expected = 0;
        for (int t = 0; t < kp; t++) {
            expected += 2 * (-128 * 255);
        }
        assertTrue((long) kp * 2 * 128 * 255 > Integer.MAX_VALUE, "the sum must overflow");
        for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
            int[] acc = new int[m * n];
            impl.gemmPairs(w, 0, m, kp, col, rowOff, n, acc);
            for (int i = 0; i < acc.length; i++) {
                assertEquals(expected, acc[i], impl.name() + " cell " + i);
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

    @Test
    void requantRowsAgreeWithRequantIncludingTheVectorPath() {
        Random r = new Random(13);
        int[] special = {
            0,
            1,
            -1,
            Integer.MAX_VALUE,
            Integer.MIN_VALUE,
            4194304,
            -4194304,
            8388609,
            1 << 24,
            (1 << 24) + 1,
            3,
            -3,
            5,
            -5,
            1000001
        };
        float[] ms = {0f, 0.5f, 1f, 1e-3f, 0.0001234f, 2.5f, 1e-30f, 7f};
        for (int trial = 0; trial < 200; trial++) {
            int len = r.nextInt(70);
            int src = r.nextInt(4);
            int dst = r.nextInt(4);
            int[] acc = new int[src + len];
            for (int i = 0; i < acc.length; i++) {
                acc[i] =
                        r.nextInt(4) == 0
                                ? special[r.nextInt(special.length)]
                                : r.nextInt(2_000_000) - 1_000_000;
            }
            float m = r.nextBoolean() ? ms[r.nextInt(ms.length)] : r.nextFloat() * 0.01f;
            int bias = r.nextInt(3) == 0 ? 0 : r.nextInt(200_001) - 100_000;
            boolean unsigned = r.nextBoolean();
            int lo = unsigned ? r.nextInt(3) * 60 : -128 + r.nextInt(3) * 60;
            int hi = unsigned ? 255 : 127;
            int zp = lo + r.nextInt(hi - lo + 1);
            byte[] expected = new byte[dst + len];
            for (int i = 0; i < len; i++) {
                expected[dst + i] = Requant.requant(acc[src + i] + bias, m, zp, lo, hi);
            }
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                byte[] y = new byte[dst + len];
                impl.requantRow(acc, src, bias, m, zp, lo, hi, y, dst, len);
                assertArrayEquals(expected, y, impl.name() + " trial " + trial);
            }
            // The vector loop directly: its own element count and values.
            byte[] v = new byte[dst + len];
            int done = PanamaInt8Impl.requantVectors(acc, src, bias, m, zp, lo, hi, v, dst, len);
            assertEquals(
                    len - len % jdk.incubator.vector.IntVector.SPECIES_PREFERRED.length(), done);
            assertArrayEquals(
                    java.util.Arrays.copyOf(expected, dst + done),
                    java.util.Arrays.copyOf(v, dst + done),
                    "vector requant, trial " + trial);
        }
    }

    @Test
    void addRowsAgreeWithTheScalarFormulaIncludingTheVectorPath() {
        Random r = new Random(14);
        for (int trial = 0; trial < 300; trial++) {
            int off = r.nextInt(5);
            int len = r.nextInt(150);
            ActivationQuant qa = TestData.act(r, r.nextBoolean());
            ActivationQuant qb = TestData.act(r, r.nextBoolean());
            // Tiny output scales saturate everything, big ones round most sums to a few levels.
            float so = trial % 5 == 0 ? 1e-4f : trial % 5 == 1 ? 3f : 0.01f + r.nextFloat() * 0.1f;
            boolean unsigned = r.nextBoolean();
            int lo = unsigned ? r.nextInt(3) * 60 : -128 + r.nextInt(3) * 60;
            int hi = unsigned ? 255 : 127;
            int zo = lo + r.nextInt(hi - lo + 1);
            byte[] a = TestData.bytes(r, off + len);
            byte[] b = TestData.bytes(r, off + len);
            byte[] expected = new byte[off + len];
            for (int i = off; i < off + len; i++) {
                float fa = ((a[i] & qa.byteMask()) - qa.zeroPoint()) * qa.scale();
                float fb = ((b[i] & qb.byteMask()) - qb.zeroPoint()) * qb.scale();
                expected[i] = Requant.quantize(fa + fb, so, zo, lo, hi);
            }
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                byte[] y = new byte[off + len];
                impl.addRow(a, qa, b, qb, so, zo, lo, hi, y, off, len);
                assertArrayEquals(expected, y, impl.name() + " trial " + trial);
            }
        }
    }

    @Test
    void poolRowPassesAgreeWithPlainLoops() {
        Random r = new Random(15);
        for (int trial = 0; trial < 300; trial++) {
            int len = r.nextInt(120);
            int off = r.nextInt(5);
            int flip = r.nextBoolean() ? 0x80 : 0;
            byte[] x = TestData.bytes(r, off + len);
            byte[] start = TestData.bytes(r, len);
            boolean first = r.nextBoolean();
            byte[] expected = start.clone();
            for (int i = 0; i < len; i++) {
                byte v = (byte) (x[off + i] ^ flip);
                expected[i] = first ? v : (byte) Math.max(start[i], v);
            }
            int count = r.nextInt(60);
            int from = r.nextInt(4);
            byte[] rows = TestData.bytes(r, from + 2 * count + 1 + 16);
            int dst = r.nextInt(3);
            byte[] windows = new byte[dst + count];
            for (int j = 0; j < count; j++) {
                int s = from + 2 * j;
                windows[dst + j] =
                        (byte) (Math.max(Math.max(rows[s], rows[s + 1]), rows[s + 2]) ^ flip);
            }
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                byte[] got = start.clone();
                impl.maxRows(x, off, flip, got, len, first);
                assertArrayEquals(expected, got, impl.name() + " maxRows trial " + trial);
                byte[] y = new byte[dst + count];
                impl.max3Stride2(rows, from, flip, y, dst, count);
                assertArrayEquals(windows, y, impl.name() + " max3Stride2 trial " + trial);
            }
        }
    }

    @Test
    void quantizeRowsAgreeWithRequantIncludingNaNAndInfinities() {
        Random r = new Random(16);
        float[] special = {
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            0f,
            -0f,
            0.5f,
            -0.5f,
            1.5f,
            2.5f,
            -2.5f,
            1e30f,
            -1e30f,
            Float.MIN_VALUE
        };
        for (int trial = 0; trial < 300; trial++) {
            int off = r.nextInt(5);
            int len = r.nextInt(150);
            float[] x = new float[off + len];
            for (int i = 0; i < x.length; i++) {
                x[i] =
                        r.nextInt(8) == 0
                                ? special[r.nextInt(special.length)]
                                : (float) r.nextGaussian() * 4f;
            }
            float scale = trial % 3 == 0 ? 1f : 0.001f + r.nextFloat() * 0.1f;
            boolean unsigned = r.nextBoolean();
            int lo = unsigned ? 0 : -128;
            int hi = unsigned ? 255 : 127;
            int zp = lo + r.nextInt(hi - lo + 1);
            byte[] expected = new byte[off + len];
            for (int i = off; i < off + len; i++) {
                expected[i] = Requant.quantize(x[i], scale, zp, lo, hi);
            }
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                byte[] y = new byte[off + len];
                impl.quantizeRow(x, scale, zp, lo, hi, y, off, len);
                assertArrayEquals(expected, y, impl.name() + " trial " + trial);
            }
        }
    }

    @Test
    void packPairsAgreesWithThePlainLoopForEveryStepAndAtTheArrayEnd() {
        Random r = new Random(18);
        for (int trial = 0; trial < 400; trial++) {
            int step = 1 + r.nextInt(3);
            int len = r.nextInt(70);
            int flip = r.nextBoolean() ? 0x80 : 0;
            int span = len == 0 ? 1 : (len - 1) * step + 1;
            // Rows end exactly at the array's end in a third of the trials: the vector loads must
            // stop.
            int slack = trial % 3 == 0 ? 0 : r.nextInt(40);
            int ia = r.nextInt(20);
            int ib = ia + span + r.nextInt(20);
            byte[] x = TestData.bytes(r, ib + span + slack);
            int d = r.nextInt(4);
            int[] expected = new int[d + len];
            for (int j = 0; j < len; j++) {
                expected[d + j] =
                        ((x[ia + j * step] ^ flip) & 0xFF)
                                | ((x[ib + j * step] ^ flip) & 0xFF) << 16;
            }
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                int[] got = new int[d + len];
                impl.packPairs(x, ia, ib, step, flip, got, d, len);
                assertArrayEquals(expected, got, impl.name() + " step " + step + " trial " + trial);
            }
        }
    }

    @Test
    void widenPairsMatchesTheFormulaForAllBytesAndLengths() {
        // every (w0, w1) byte pair, at offsets and lengths around whole vectors
        byte[] src = new byte[2 * 65536 + 7];
        for (int i = 0; i < 65536; i++) {
            src[3 + 2 * i] = (byte) (i & 0xFF);
            src[3 + 2 * i + 1] = (byte) (i >> 8);
        }
        for (int len : new int[] {0, 1, 15, 16, 17, 33, 65536}) {
            int[] expected = new int[len + 2];
            for (int i = 0; i < len; i++) {
                expected[1 + i] = weightPair(src[3 + 2 * i], src[3 + 2 * i + 1]);
            }
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                int[] dst = new int[len + 2];
                impl.widenPairs(src, 3, dst, 1, len);
                assertArrayEquals(expected, dst, impl.name() + " len=" + len);
            }
        }
    }
}
