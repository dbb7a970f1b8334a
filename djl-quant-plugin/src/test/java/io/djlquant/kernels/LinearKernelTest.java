package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** linear: scalar and SIMD against the naive reference. */
class LinearKernelTest {

    private final int savedThreads = Int8Kernels.getThreads();

    @AfterEach
    void restoreThreads() {
        Int8Kernels.setThreads(savedThreads);
    }

    private static void check(Random r, int rows, int inF, int outF, boolean relu, float boost) {
        ActivationQuant in = TestData.act(r, r.nextBoolean());
        ActivationQuant out = TestData.act(r, r.nextBoolean());
        byte[] x = TestData.bytes(r, rows * inF);
        byte[] wt = TestData.bytes(r, outF * inF);
        int[] bias = r.nextBoolean() ? TestData.ints(r, outF, 30000) : null;
        float[] m = TestData.multipliers(r, outF, inF, boost);
        PackedLinearWeights pw = PackedLinearWeights.pack(wt, outF, inF, bias);
        byte[] expected = Reference.linear(x, rows, inF, in, wt, outF, bias, m, out, relu);
        for (int threads : new int[] {1, 2}) {
            Int8Kernels.setThreads(threads);
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                byte[] y = Int8Kernels.linear(impl, x, rows, in, pw, m, out, relu);
                assertArrayEquals(
                        expected,
                        y,
                        impl.name()
                                + " threads="
                                + threads
                                + " rows="
                                + rows
                                + " in="
                                + inF
                                + " out="
                                + outF
                                + " relu="
                                + relu);
            }
        }
    }

    @Test
    void shapesMatchReference() {
        Random r = new Random(10);
        int[] rowsList = {1, 3, 9, 17};
        int[] inList = {1, 7, 8, 33, 100, 257};
        int[] outList = {1, 3, 5, 64, 70};
        for (int rows : rowsList) {
            for (int inF : inList) {
                for (int outF : outList) {
                    check(r, rows, inF, outF, r.nextBoolean(), 1f);
                }
            }
        }
    }

    @Test
    void saturationMatchesReference() {
        Random r = new Random(11);
        for (int i = 0; i < 10; i++) {
            check(r, 1 + r.nextInt(5), 1 + r.nextInt(80), 1 + r.nextInt(80), r.nextBoolean(), 100f);
        }
    }
}
