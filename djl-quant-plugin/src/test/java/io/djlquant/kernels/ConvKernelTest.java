package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** conv2d: scalar and SIMD against the naive reference, over many shapes and thread counts. */
class ConvKernelTest {

    private final int savedThreads = Int8Kernels.getThreads();

    @AfterEach
    void restoreThreads() {
        Int8Kernels.setThreads(savedThreads);
    }

    /** n, c, h, w, oc, kh, kw, groups, then ConvParams. */
    private record Case(
            int n, int c, int h, int w, int oc, int kh, int kw, int groups, ConvParams p) {}

    private static Case[] cases() {
        return new Case[] {
            new Case(1, 3, 7, 9, 5, 3, 3, 1, ConvParams.of(1, 1, 1)),
            new Case(2, 4, 8, 8, 6, 3, 3, 2, ConvParams.of(2, 1, 1)),
            new Case(1, 13, 11, 10, 13, 3, 3, 13, ConvParams.of(1, 1, 1)), // depthwise
            new Case(1, 6, 9, 9, 12, 3, 3, 6, ConvParams.of(2, 2, 1)), // depthwise, multiplier 2
            new Case(1, 5, 12, 11, 7, 3, 3, 1, ConvParams.of(1, 2, 2)), // dilation 2
            new Case(2, 17, 5, 6, 19, 1, 1, 1, ConvParams.of(1, 0, 1)), // 1x1
            new Case(1, 3, 23, 21, 9, 7, 7, 1, ConvParams.of(2, 3, 1)), // 7x7 stride 2 pad 3
            new Case(1, 2, 6, 6, 4, 5, 5, 1, ConvParams.of(1, 3, 1)), // pad 3 > kernel/2
            new Case(1, 3, 5, 8, 5, 1, 3, 1, new ConvParams(2, 1, 0, 1, 1, 1)), // asymmetric
            new Case(
                    1,
                    8,
                    30,
                    30,
                    33,
                    3,
                    3,
                    1,
                    ConvParams.of(1, 1, 1)), // several tiles, odd channels
            new Case(
                    1,
                    64,
                    9,
                    9,
                    37,
                    3,
                    3,
                    1,
                    ConvParams.of(1, 1, 1)), // K = 576, 81 pixels, channels split 16+16+5
            new Case(3, 6, 4, 4, 9, 4, 4, 3, ConvParams.of(1, 0, 1)), // kernel = input, 1x1 output
            new Case(
                    1,
                    8,
                    3,
                    3,
                    70,
                    1,
                    1,
                    2,
                    ConvParams.of(1, 0, 1)), // groups, channels split 16+16+3
            new Case(
                    2,
                    7,
                    19,
                    37,
                    7,
                    3,
                    3,
                    7,
                    ConvParams.of(1, 2, 2)), // depthwise dilation 2, long rows
            new Case(
                    1,
                    5,
                    9,
                    21,
                    10,
                    5,
                    5,
                    5,
                    ConvParams.of(1, 2, 1)), // depthwise 5x5, multiplier 2
            new Case(
                    1,
                    4,
                    11,
                    17,
                    4,
                    3,
                    3,
                    4,
                    new ConvParams(2, 1, 1, 1, 1, 1)), // depthwise, stride (2,1)
            new Case(1, 3, 6, 40, 3, 1, 7, 3, new ConvParams(1, 1, 0, 3, 1, 1)), // depthwise 1x7
            new Case(1, 6, 10, 40, 10, 3, 3, 1, ConvParams.of(1, 2, 2)), // shifted path, dilation 2
            new Case(
                    2,
                    6,
                    9,
                    33,
                    8,
                    3,
                    3,
                    2,
                    new ConvParams(1, 1, 1, 2, 1, 2)), // shifted, groups, dilation W
            new Case(
                    1,
                    16,
                    7,
                    7,
                    40,
                    3,
                    3,
                    1,
                    ConvParams.of(1, 1, 1)), // shifted, late-layer size, chunks
            new Case(
                    2,
                    24,
                    14,
                    14,
                    20,
                    1,
                    1,
                    1,
                    ConvParams.of(2, 0, 1)), // 1x1 stride 2 (downsample), 49 px
            new Case(
                    1,
                    10,
                    21,
                    23,
                    14,
                    3,
                    3,
                    1,
                    ConvParams.of(2, 1, 1)), // stride 2: tiles rounded to vectors
            new Case(
                    1,
                    16,
                    7,
                    7,
                    40,
                    3,
                    3,
                    1,
                    ConvParams.of(2, 1, 1)), // im2col, one tile shared by 3 chunks
            new Case(
                    2,
                    6,
                    9,
                    9,
                    66,
                    3,
                    3,
                    2,
                    ConvParams.of(2, 1, 1)), // im2col, groups of 3 channels, chunks
            new Case(
                    1,
                    6,
                    17,
                    19,
                    8,
                    3,
                    3,
                    1,
                    new ConvParams(3, 2, 1, 2, 2, 1)), // phases 3x2, dilation H 2
            new Case(
                    2,
                    5,
                    30,
                    30,
                    9,
                    7,
                    7,
                    1,
                    ConvParams.of(2, 3, 1)), // stem-like: odd channels, 2x2 phases
            new Case(
                    1,
                    4,
                    13,
                    13,
                    6,
                    1,
                    1,
                    1,
                    ConvParams.of(3, 0, 1)), // 1x1 stride 3: one phase of nine used
            new Case(
                    5,
                    40,
                    7,
                    7,
                    36,
                    3,
                    3,
                    1,
                    ConvParams.of(1, 1, 1)), // shifted, tiles across 5 images
            new Case(
                    3,
                    12,
                    12,
                    12,
                    10,
                    3,
                    3,
                    1,
                    ConvParams.of(2, 1, 1)), // shifted stride 2, 3 images
            new Case(
                    2,
                    600,
                    6,
                    6,
                    40,
                    3,
                    3,
                    1,
                    ConvParams.of(1, 1, 1)), // K = 5400: 2 blocks of widened weights
            new Case(
                    5,
                    24,
                    1,
                    1,
                    20,
                    3,
                    3,
                    1,
                    ConvParams.of(1, 1, 1)), // 1x1 map: only the centre tap reads it
            new Case(
                    7,
                    16,
                    2,
                    2,
                    36,
                    3,
                    3,
                    1,
                    ConvParams.of(2, 1, 1)), // 2x2 -> 1x1 stride 2: 4 taps of 9
            new Case(
                    3,
                    10,
                    3,
                    2,
                    12,
                    3,
                    5,
                    1,
                    ConvParams.of(1, 2, 1)), // pad 2 > kernel/2: corner taps dropped
            new Case(
                    4,
                    12,
                    2,
                    2,
                    16,
                    3,
                    3,
                    1,
                    ConvParams.of(1, 1, 1)), // 2x2 map, batch 4: im2col, all taps
            new Case(
                    9,
                    20,
                    4,
                    4,
                    24,
                    1,
                    1,
                    1,
                    ConvParams.of(2, 0, 1)), // 1x1 stride 2 to a 2x2 map: im2col
            new Case(
                    16, 6, 4, 4, 8, 3, 3, 1, ConvParams.of(1, 1, 1)), // batch inner: 16 images, 4x4
            new Case(
                    20,
                    5,
                    7,
                    5,
                    12,
                    3,
                    3,
                    1,
                    ConvParams.of(2, 1, 1)), // batch inner, odd channels, stride 2
            new Case(
                    17,
                    8,
                    1,
                    1,
                    40,
                    3,
                    3,
                    2,
                    ConvParams.of(1, 1, 1)), // batch inner, groups, 1x1 map, chunks
            new Case(
                    130,
                    4,
                    2,
                    2,
                    6,
                    3,
                    3,
                    1,
                    ConvParams.of(1, 1, 1)), // batch inner, 2 passes (65 + 65)
            new Case(
                    18,
                    6,
                    5,
                    5,
                    9,
                    3,
                    3,
                    1,
                    new ConvParams(1, 2, 2, 1, 2, 1)), // batch inner, dilation, asym.
            new Case(
                    16,
                    4,
                    1,
                    1,
                    8,
                    2,
                    2,
                    1,
                    ConvParams.of(1, 2, 1)), // batch inner: pixels that read no input
        };
    }

    private static void check(
            Random r,
            Case cs,
            boolean unsignedIn,
            boolean unsignedOut,
            boolean relu,
            float boost,
            boolean withBias) {
        ActivationQuant in = TestData.act(r, unsignedIn);
        ActivationQuant out = TestData.act(r, unsignedOut);
        int cg = cs.c / cs.groups;
        int k = cg * cs.kh * cs.kw;
        byte[] x = TestData.bytes(r, cs.n * cs.c * cs.h * cs.w);
        byte[] wt = TestData.bytes(r, cs.oc * k);
        int[] bias = withBias ? TestData.ints(r, cs.oc, 20000) : null;
        float[] m = TestData.multipliers(r, cs.oc, k, boost);
        PackedConvWeights pw =
                PackedConvWeights.pack(wt, cs.oc, cs.c, cs.kh, cs.kw, cs.groups, bias);
        byte[] expected =
                Reference.conv2d(
                        x, cs.n, cs.c, cs.h, cs.w, in, wt, cs.oc, cs.kh, cs.kw, cs.groups, bias,
                        cs.p, m, out, relu);
        String msg = cs + " in=" + in + " out=" + out + " relu=" + relu;
        for (int threads : new int[] {1, 2}) {
            Int8Kernels.setThreads(threads);
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                byte[] y =
                        Int8Kernels.conv2d(
                                impl, x, cs.n, cs.c, cs.h, cs.w, in, pw, cs.p, m, out, relu);
                assertArrayEquals(expected, y, impl.name() + " threads=" + threads + " " + msg);
            }
        }
    }

    @Test
    void listedShapesMatchReference() {
        Random r = new Random(1);
        for (Case cs : cases()) {
            check(r, cs, true, true, false, 1f, true);
            check(r, cs, false, false, true, 1f, true);
            check(r, cs, true, false, true, 1f, false);
            check(r, cs, false, true, false, 1f, false);
        }
    }

    @Test
    void tapsThatReadOnlyPaddingAreLeftOut() {
        // 3x3 pad 1 on a 1x1 map: only the centre reads the image
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new int[] {4}, Im2colConv.readingTaps(1, 1, 1, 1, 3, 3, ConvParams.of(1, 1, 1)));
        // 2x2 -> 1x1 with stride 2: rows and columns -1 are padding
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new int[] {4, 5, 7, 8},
                Im2colConv.readingTaps(2, 2, 1, 1, 3, 3, ConvParams.of(2, 1, 1)));
        // 4x4 -> 4x4: every tap reads the image somewhere
        assertEquals(9, Im2colConv.readingTaps(4, 4, 4, 4, 3, 3, ConvParams.of(1, 1, 1)).length);
        // pad 2, 3x5 kernel on 3x2: dilation-free, rows all read, columns 0 and 4 never do
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new int[] {1, 2, 3, 6, 7, 8, 11, 12, 13},
                Im2colConv.readingTaps(3, 2, 5, 2, 3, 5, ConvParams.of(1, 2, 1)));
    }

    @Test
    void batchInnerPixelsMultiplyOnlyTheTapsTheyRead() {
        // 3x3, pad 1 on a 2x2 map: every tap is kept (each is read by some pixel), each pixel reads
        // 4
        int[] taps = Im2colConv.readingTaps(2, 2, 2, 2, 3, 3, ConvParams.of(1, 1, 1));
        assertEquals(9, taps.length);
        TapClasses tc = TapClasses.of(taps, 2, 2, 2, 2, 2, 3, ConvParams.of(1, 1, 1));
        assertEquals(4, tc.rows().length);
        // pixel (0, 0) reads taps 4, 5, 7, 8 of channel pairs 0 and 1 (rows icp * 9 + k)
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                new int[] {4, 5, 7, 8, 13, 14, 16, 17}, tc.rows()[tc.of()[0]]);
        // 4x4: corners read 4 taps, edges 6, the 4 inner pixels all 9 (null: every row)
        TapClasses four = TapClasses.of(taps, 1, 4, 4, 4, 4, 3, ConvParams.of(1, 1, 1));
        assertEquals(9, four.rows().length);
        assertEquals(null, four.rows()[four.of()[5]]);
        assertEquals(4, four.rows()[four.of()[0]].length);
        assertEquals(6, four.rows()[four.of()[1]].length);
        // left-out rows move into the bias: w * zpU for each pair of weights not multiplied
        int[] wq = {(1 + 128) | 2 << 16, (3 + 128) | -4 << 16, (-5 + 128) | 6 << 16};
        int[] dst = new int[2];
        int[] bias = {100};
        tc.select(wq, 1, 3, new int[] {0, 2}, dst, 7, bias);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {wq[0], wq[2]}, dst);
        assertEquals(100 + 7 * (3 - 4), bias[0]);
    }

    @Test
    void batchInnerCasesTakeThatPath() {
        int n = 0;
        for (Case cs : cases()) {
            if (cs.n >= BatchInnerConv.MIN_BATCH && cs.kh * cs.kw > 1) {
                PackedConvWeights pw =
                        PackedConvWeights.pack(
                                new byte[cs.oc * cs.c / cs.groups * cs.kh * cs.kw],
                                cs.oc,
                                cs.c,
                                cs.kh,
                                cs.kw,
                                cs.groups,
                                null);
                assertEquals(
                        ConvKernel.Strategy.BATCH_INNER,
                        ConvKernel.strategy(pw, cs.p, cs.n, cs.h, cs.w),
                        cs.toString());
                n++;
            }
        }
        assertEquals(6, n);
    }

    @Test
    void casesCoverEveryStrategy() {
        java.util.EnumSet<ConvKernel.Strategy> seen =
                java.util.EnumSet.noneOf(ConvKernel.Strategy.class);
        for (Case cs : cases()) {
            PackedConvWeights pw =
                    PackedConvWeights.pack(
                            new byte[cs.oc * cs.c / cs.groups * cs.kh * cs.kw],
                            cs.oc,
                            cs.c,
                            cs.kh,
                            cs.kw,
                            cs.groups,
                            null);
            seen.add(ConvKernel.strategy(pw, cs.p, cs.n, cs.h, cs.w));
        }
        assertEquals(java.util.EnumSet.allOf(ConvKernel.Strategy.class), seen);
    }

    @Test
    void saturatingMultipliersMatchReference() {
        Random r = new Random(2);
        Case[] all = cases();
        for (int i = 0; i < all.length; i++) {
            boolean unsigned = i % 2 == 0;
            check(r, all[i], unsigned, unsigned, i % 3 == 0, 50f, true);
        }
    }

    @Test
    void randomShapesMatchReference() {
        Random r = new Random(3);
        for (int i = 0; i < 40; i++) {
            int groups = 1 + r.nextInt(3);
            int c = groups * (1 + r.nextInt(5));
            int oc = groups * (1 + r.nextInt(6));
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            ConvParams p =
                    new ConvParams(
                            1 + r.nextInt(2),
                            1 + r.nextInt(2),
                            r.nextInt(3),
                            r.nextInt(3),
                            1 + r.nextInt(2),
                            1 + r.nextInt(2));
            int h = Math.max(1, p.dilationH() * (kh - 1) + 1 - 2 * p.padH()) + r.nextInt(12);
            int w = Math.max(1, p.dilationW() * (kw - 1) + 1 - 2 * p.padW()) + r.nextInt(12);
            check(
                    r,
                    new Case(1 + r.nextInt(2), c, h, w, oc, kh, kw, groups, p),
                    r.nextBoolean(),
                    r.nextBoolean(),
                    r.nextBoolean(),
                    1f,
                    r.nextBoolean());
        }
    }

    @Test
    void outputsActuallyVaryAndSaturate() {
        // Guards the test data itself: a reference producing constant output would prove nothing.
        Random r = new Random(4);
        Case cs = cases()[9];
        ActivationQuant in = ActivationQuant.uint8(0.05f, 100);
        ActivationQuant out = ActivationQuant.uint8(0.05f, 128);
        int k = cs.c * 9;
        byte[] x = TestData.bytes(r, cs.n * cs.c * cs.h * cs.w);
        byte[] wt = TestData.bytes(r, cs.oc * k);
        PackedConvWeights pw = PackedConvWeights.pack(wt, cs.oc, cs.c, 3, 3, 1, null);
        byte[] y =
                Int8Kernels.conv2d(
                        TestData.SIMD,
                        x,
                        1,
                        cs.c,
                        cs.h,
                        cs.w,
                        in,
                        pw,
                        cs.p,
                        TestData.multipliers(r, cs.oc, k, 1f),
                        out,
                        false);
        assertTrue(distinct(y) > 50, "normal multipliers should give a spread of values");
        byte[] s =
                Int8Kernels.conv2d(
                        TestData.SIMD,
                        x,
                        1,
                        cs.c,
                        cs.h,
                        cs.w,
                        in,
                        pw,
                        cs.p,
                        TestData.multipliers(r, cs.oc, k, 50f),
                        out,
                        false);
        int clamped = 0;
        for (byte b : s) {
            clamped += (b == 0 || b == (byte) 255) ? 1 : 0;
        }
        assertTrue(
                clamped > s.length / 4,
                "boosted multipliers should saturate often, got " + clamped);
    }

    @Test
    void roundsHalfToEvenAndPadsWithZeroPoint() {
        // 1x1 input, 3x3 kernel of ones, pad 1: acc = x - zp (padding adds nothing); M = 0.5.
        ActivationQuant in = ActivationQuant.uint8(1f, 10);
        ActivationQuant out = ActivationQuant.int8(1f, 0);
        byte[] ones = new byte[9];
        java.util.Arrays.fill(ones, (byte) 1);
        PackedConvWeights pw = PackedConvWeights.pack(ones, 1, 1, 3, 3, 1, null);
        int[][] inputsAndExpected = {{13, 2}, {15, 2}, {11, 0}, {7, -2}, {5, -2}, {200, 95}};
        for (int[] ie : inputsAndExpected) {
            for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
                byte[] y =
                        Int8Kernels.conv2d(
                                impl,
                                new byte[] {(byte) ie[0]},
                                1,
                                1,
                                1,
                                1,
                                in,
                                pw,
                                ConvParams.of(1, 1, 1),
                                new float[] {0.5f},
                                out,
                                false);
                assertArrayEquals(
                        new byte[] {(byte) ie[1]}, y, "input " + ie[0] + " " + impl.name());
            }
        }
    }

    private static int distinct(byte[] y) {
        boolean[] seen = new boolean[256];
        int d = 0;
        for (byte b : y) {
            if (!seen[b & 0xFF]) {
                seen[b & 0xFF] = true;
                d++;
            }
        }
        return d;
    }
}
