package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Packed convolution weights are held once, in the kernels' order: they give back exactly the OIHW
 * bytes that were packed, and the widened pair rows hold the weights the pair product expects.
 */
class PackedConvWeightsTest {

    private static byte[] random(Random r, int n) {
        byte[] w = new byte[n];
        for (int i = 0; i < n; i++) {
            w[i] = (byte) (r.nextInt(256) - 128);
        }
        return w;
    }

    @Test
    void weightsComeBackInOihwOrderForEveryLayout() {
        Random r = new Random(5);
        // {oc, ic, kh, kw, groups}: dense even/odd channels, 1x1, grouped, depthwise
        int[][] shapes = {
            {8, 4, 3, 3, 1},
            {6, 3, 7, 7, 1},
            {5, 1, 3, 3, 1},
            {16, 32, 1, 1, 1},
            {8, 8, 3, 3, 2},
            {6, 6, 3, 3, 3},
            {4, 4, 3, 3, 4}
        };
        for (int[] s : shapes) {
            byte[] w = random(r, s[0] * (s[1] / s[4]) * s[2] * s[3]);
            byte[] copy = w.clone();
            PackedConvWeights p = PackedConvWeights.pack(w, s[0], s[1], s[2], s[3], s[4], null);
            w[0]++; // the packed copy is private
            assertArrayEquals(copy, p.weights(), java.util.Arrays.toString(s));
        }
    }

    @Test
    void onlyOneCopyIsHeld() {
        PackedConvWeights dense = PackedConvWeights.pack(new byte[8 * 4 * 9], 8, 4, 3, 3, 1, null);
        assertNull(dense.weights);
        assertEquals(8 * 4 * 9, dense.pairChunks[0].length);
        // 512 channels of 256 x 3 x 3: no array of G1's humongous size, still one byte per weight
        PackedConvWeights big =
                PackedConvWeights.pack(new byte[512 * 256 * 9], 512, 256, 3, 3, 1, null);
        long total = 0;
        for (byte[] chunk : big.pairChunks) {
            assertTrue(chunk.length <= PackedConvWeights.CHUNK_BYTES);
            total += chunk.length;
        }
        assertEquals(512 * 256 * 9, total);
        PackedConvWeights depthwise = PackedConvWeights.pack(new byte[4 * 9], 4, 4, 3, 3, 4, null);
        assertNull(depthwise.pairChunks);
        assertEquals(4 * 9, depthwise.weights.length);
    }

    @Test
    void widenedPairsHoldChannelPairsAndRowPairs() {
        Random r = new Random(6);
        int oc = 5;
        int cg = 3;
        int taps = 4;
        byte[] w = random(r, oc * cg * taps);
        PackedConvWeights p = PackedConvWeights.pack(w, oc, cg, 2, 2, 1, null);
        int kp = p.pairRowLength();
        assertEquals(2 * taps, kp);
        for (Int8Impl impl : new Int8Impl[] {TestData.SCALAR, TestData.SIMD}) {
            int[] pairs = new int[3 * kp];
            p.widenPairs(impl, 1, 3, pairs); // channels 1..3
            for (int j = 0; j < 3; j++) {
                int o = 1 + j;
                for (int icp = 0; icp < 2; icp++) {
                    for (int tap = 0; tap < taps; tap++) {
                        int w0 = w[(o * cg + 2 * icp) * taps + tap];
                        int w1 = 2 * icp + 1 < cg ? w[(o * cg + 2 * icp + 1) * taps + tap] : 0;
                        assertEquals(
                                (w0 + 128) | w1 << 16,
                                pairs[j * kp + icp * taps + tap],
                                impl.name());
                    }
                }
            }
        }
        // widening across chunk boundaries gives the same ints as widening channel by channel
        PackedConvWeights big =
                PackedConvWeights.pack(random(r, 300 * 64 * 9), 300, 64, 3, 3, 1, null);
        int bkp = big.pairRowLength();
        int[] all = new int[300 * bkp];
        big.widenPairs(TestData.SIMD, 0, 300, all);
        for (int o = 0; o < 300; o += 7) {
            int[] one = new int[bkp];
            big.widenPairs(TestData.SCALAR, o, 1, one);
            assertArrayEquals(
                    one, java.util.Arrays.copyOfRange(all, o * bkp, (o + 1) * bkp), "channel " + o);
        }
        int k = cg * taps;
        int rkp = p.rowPairLength();
        int[] rows = new int[oc * rkp];
        p.widenRowPairs(0, oc, rows);
        for (int o = 0; o < oc; o++) {
            for (int t = 0; t < rkp; t++) {
                int w1 = 2 * t + 1 < k ? w[o * k + 2 * t + 1] : 0;
                assertEquals((w[o * k + 2 * t] + 128) | w1 << 16, rows[o * rkp + t]);
            }
        }
    }
}
