package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** add, mul, quantize and dequantize against the reference formulas. */
class ElementwiseKernelsTest {

    private final int savedThreads = Int8Kernels.getThreads();

    @AfterEach
    void restoreThreads() {
        Int8Kernels.setThreads(savedThreads);
    }

    @Test
    void addAndMulMatchReference() {
        Random r = new Random(20);
        for (int i = 0; i < 24; i++) {
            int n =
                    i == 0
                            ? 100_003
                            : 1 + r.nextInt(500); // the large one spans several parallel chunks
            ActivationQuant qa = TestData.act(r, r.nextBoolean());
            ActivationQuant qb = TestData.act(r, r.nextBoolean());
            // Small output scales saturate often; large ones do not.
            ActivationQuant qo =
                    i % 3 == 0 ? ActivationQuant.int8(0.001f, 3) : TestData.act(r, r.nextBoolean());
            byte[] a = TestData.bytes(r, n);
            byte[] b = TestData.bytes(r, n);
            boolean relu = r.nextBoolean();
            for (int threads : new int[] {1, 2}) {
                Int8Kernels.setThreads(threads);
                assertArrayEquals(
                        Reference.binary(a, qa, b, qb, qo, relu, false),
                        Int8Kernels.add(a, qa, b, qb, qo, relu));
                assertArrayEquals(
                        Reference.binary(a, qa, b, qb, qo, relu, true),
                        Int8Kernels.mul(a, qa, b, qb, qo, relu));
            }
        }
    }

    @Test
    void addHandChecked() {
        ActivationQuant q = ActivationQuant.uint8(0.5f, 10);
        // (12-10)*0.5 + (13-10)*0.5 = 2.5 -> /0.5 = 5 -> +10 = 15; relu floor is zp 10.
        assertArrayEquals(
                new byte[] {15, 10},
                Int8Kernels.add(new byte[] {12, 2}, q, new byte[] {13, 4}, q, q, true));
        // Second element: -4 + -3 = -7 -> -14 -> -4, clamped to 0 without relu.
        assertArrayEquals(
                new byte[] {15, 0},
                Int8Kernels.add(new byte[] {12, 2}, q, new byte[] {13, 4}, q, q, false));
        // mul: 1 * 1.5 = 1.5 -> 3 -> 13.
        assertArrayEquals(
                new byte[] {13}, Int8Kernels.mul(new byte[] {12}, q, new byte[] {13}, q, q, false));
    }

    @Test
    void quantizeDequantizeMatchReference() {
        Random r = new Random(21);
        for (int i = 0; i < 10; i++) {
            ActivationQuant q = TestData.act(r, r.nextBoolean());
            float[] x = new float[1 + r.nextInt(1000)];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) r.nextGaussian() * 3f;
            }
            x[0] = Float.NaN;
            byte[] qx = Int8Kernels.quantize(x, q);
            for (int j = 0; j < x.length; j++) {
                assertEquals(Reference.quantize(x[j], q, false), qx[j], "element " + j);
            }
            float[] back = Int8Kernels.dequantize(qx, q);
            for (int j = 0; j < x.length; j++) {
                assertEquals(Reference.dequant(qx[j], q), back[j], 0f);
            }
        }
    }

    @Test
    void quantizeRoundsHalfToEvenAndSaturates() {
        ActivationQuant q = ActivationQuant.int8(0.5f, 0);
        byte[] y =
                Int8Kernels.quantize(
                        new float[] {
                            0.25f, 0.75f, -0.25f, -0.75f, 1e9f, -1e9f, Float.POSITIVE_INFINITY
                        },
                        q);
        assertArrayEquals(new byte[] {0, 2, 0, -2, 127, -128, 127}, y);
        ActivationQuant u = ActivationQuant.uint8(1f, 128);
        assertArrayEquals(
                new byte[] {(byte) 255, 0, (byte) 128},
                Int8Kernels.quantize(new float[] {300f, -300f, 0f}, u));
        assertEquals(127f, Int8Kernels.dequantize(new byte[] {(byte) 255}, u)[0]);
    }
}
