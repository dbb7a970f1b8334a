package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Max, average and global average pooling against the reference. */
class PoolKernelsTest {

    private final int savedThreads = Int8Kernels.getThreads();

    @AfterEach
    void restoreThreads() {
        Int8Kernels.setThreads(savedThreads);
    }

    @Test
    void globalAverageOfManyPlanesSplitsIntoSeveralTasks() {
        Random r = new Random(31);
        // ResNet18's last map at 32x32 inputs, batch 100: 51,200 one-pixel planes; and a 2x2 map
        for (int[] s : new int[][] {{100, 512, 1, 1}, {30, 300, 2, 2}}) {
            ActivationQuant q = TestData.act(r, r.nextBoolean());
            byte[] x = TestData.bytes(r, s[0] * s[1] * s[2] * s[3]);
            byte[] expected =
                    Reference.avgPool(
                            x, s[0], s[1], s[2], s[3], q, s[2], s[3], ConvParams.of(1, 0, 1), true);
            for (int threads : new int[] {1, 2}) {
                Int8Kernels.setThreads(threads);
                assertArrayEquals(
                        expected, Int8Kernels.globalAvgPool2d(x, s[0], s[1], s[2], s[3], q));
            }
        }
    }

    @Test
    void poolsMatchReference() {
        Random r = new Random(30);
        for (int i = 0; i < 40; i++) {
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(20);
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
            int h = dil * (kh - 1) + 1 + r.nextInt(9);
            int w = dil * (kw - 1) + 1 + r.nextInt(9);
            ActivationQuant q = TestData.act(r, r.nextBoolean());
            byte[] x = TestData.bytes(r, n * c * h * w);
            ConvParams plain = new ConvParams(p.strideH(), p.strideW(), p.padH(), p.padW(), 1, 1);
            boolean includePad = r.nextBoolean();
            for (int threads : new int[] {1, 2}) {
                Int8Kernels.setThreads(threads);
                assertArrayEquals(
                        Reference.maxPool(x, n, c, h, w, q, kh, kw, p),
                        Int8Kernels.maxPool2d(x, n, c, h, w, q, kh, kw, p),
                        "max " + p);
                assertArrayEquals(
                        Reference.avgPool(x, n, c, h, w, q, kh, kw, plain, includePad),
                        Int8Kernels.avgPool2d(x, n, c, h, w, q, kh, kw, plain, includePad),
                        "avg " + plain);
                assertArrayEquals(
                        Reference.avgPool(x, n, c, h, w, q, h, w, ConvParams.of(1, 0, 1), true),
                        Int8Kernels.globalAvgPool2d(x, n, c, h, w, q),
                        "global");
            }
        }
    }

    @Test
    void resnetStemPoolMatchesReference() {
        // ResNet's 3x3 stride-2 pad-1 pool on a real-sized plane stack: long rows take the
        // separable max's unchecked interior path; both byte formats.
        Random r = new Random(31);
        ConvParams p = ConvParams.of(2, 1, 1);
        for (boolean unsigned : new boolean[] {true, false}) {
            ActivationQuant q = TestData.act(r, unsigned);
            byte[] x = TestData.bytes(r, 16 * 112 * 111);
            for (int threads : new int[] {1, 2}) {
                Int8Kernels.setThreads(threads);
                assertArrayEquals(
                        Reference.maxPool(x, 1, 16, 112, 111, q, 3, 3, p),
                        Int8Kernels.maxPool2d(x, 1, 16, 112, 111, q, 3, 3, p),
                        "unsigned " + unsigned);
            }
        }
    }

    @Test
    void averageRoundsHalfToEven() {
        ActivationQuant s = ActivationQuant.int8(1f, 0);
        // Planes [0,1] -> 0.5 -> 0, [1,2] -> 1.5 -> 2, [-1,-2] -> -1.5 -> -2, [2,3] -> 2.5 -> 2.
        byte[] x = {0, 1, 1, 2, -1, -2, 2, 3};
        assertArrayEquals(new byte[] {0, 2, -2, 2}, Int8Kernels.globalAvgPool2d(x, 1, 4, 1, 2, s));
        // With a zero point of 100 the same differences round the same way.
        ActivationQuant u = ActivationQuant.uint8(1f, 100);
        byte[] xu = {100, 101, 101, 102, 99, 98, 102, 103};
        assertArrayEquals(
                new byte[] {100, 102, 98, 102}, Int8Kernels.globalAvgPool2d(xu, 1, 4, 1, 2, u));
    }

    @Test
    void maxPoolReadsUnsignedBytes() {
        // 200 as uint8 is the maximum; read as int8 it would be -56 and lose to 100.
        byte[] x = {(byte) 200, 100, 5, 7};
        assertArrayEquals(
                new byte[] {(byte) 200},
                Int8Kernels.maxPool2d(
                        x, 1, 1, 2, 2, ActivationQuant.uint8(1f, 0), 2, 2, ConvParams.of(2, 0, 1)));
        assertArrayEquals(
                new byte[] {100},
                Int8Kernels.maxPool2d(
                        x, 1, 1, 2, 2, ActivationQuant.int8(1f, 0), 2, 2, ConvParams.of(2, 0, 1)));
    }
}
