package io.djlquant.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/**
 * The convolution of the float and QAT blocks against a float64 reference, for the channel counts
 * PyTorch's oneDNN convolution gets wrong on AVX-512 hosts (see {@link ChannelAlignedConv}).
 *
 * <p>PyTorch runs float64 convolutions without oneDNN, so the reference is independent of the
 * problem. On the AVX-512 host (Zen 5) the plain {@link Conv2d#conv2d} fails these checks for every
 * pair below except (16, 32) and (64, 64): wrong input gradients and NaN, and for 24 and 40 input
 * channels a wrong forward result.
 */
class ChannelAlignedConvTest {

    private static final Shape ONE = new Shape(1, 1);

    @Test
    void forwardAndGradientsMatchFloat64() {
        int[][] channels = {
            {3, 8}, {8, 8}, {8, 3}, {16, 24}, {24, 32}, {24, 24}, {40, 12}, {48, 16}, {16, 32},
            {64, 64}
        };
        Engine.getEngine("PyTorch").setRandomSeed(7);
        for (int[] c : channels) {
            check(c[0], c[1], 3, ONE);
            check(c[0], c[1], 3, new Shape(2, 2));
            check(c[0], c[1], 1, new Shape(2, 2));
        }
    }

    private static void check(int in, int out, int kernel, Shape stride) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomNormal(new Shape(8, in, 6, 6));
            NDArray w = m.randomNormal(new Shape(out, in, kernel, kernel));
            Shape pad = new Shape(kernel / 2, kernel / 2);
            NDArray b = m.randomNormal(new Shape(out));
            NDArray x64 = x.toType(DataType.FLOAT64, true);
            NDArray w64 = w.toType(DataType.FLOAT64, true);
            NDArray b64 = b.toType(DataType.FLOAT64, true);
            for (NDArray a : new NDArray[] {x, w, b, x64, w64, b64}) {
                a.setRequiresGradient(true);
            }
            String what = in + " -> " + out + " channels, kernel " + kernel + ", stride " + stride;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = ChannelAlignedConv.conv2d(x, w, b, stride, pad, ONE, 1);
                NDArray y64 = Conv2d.conv2d(x64, w64, b64, stride, pad, ONE, 1).head();
                assertEquals(y64.getShape(), y.getShape(), what);
                assertEquals(
                        new Shape(out, in, kernel, kernel),
                        w.getShape(),
                        "weight shape changed, " + what);
                assertEquals(new Shape(8, in, 6, 6), x.getShape(), "input shape changed, " + what);
                assertClose(y64, y, 1e-3, "forward, " + what);
                NDArray g = m.randomNormal(y.getShape());
                gc.backward(y.mul(g).sum());
                gc.backward(y64.mul(g.toType(DataType.FLOAT64, false)).sum());
            }
            assertClose(x64.getGradient(), x.getGradient(), 1e-3, "input gradient, " + what);
            assertClose(w64.getGradient(), w.getGradient(), 1e-2, "weight gradient, " + what);
            assertClose(b64.getGradient(), b.getGradient(), 1e-2, "bias gradient, " + what);
        }
    }

    private static void assertClose(NDArray expected, NDArray actual, double tol, String what) {
        double[] e = expected.toType(DataType.FLOAT64, false).toDoubleArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            double diff = Math.abs(e[i] - a[i]);
            assertTrue(
                    diff <= tol,
                    what + ": element " + i + " is " + a[i] + ", float64 gives " + e[i]);
        }
    }

    @Test
    void padsOnlyWherePyTorchIsWrong() {
        assertEquals(3, ChannelAlignedConv.alignedInputChannels(3));
        assertEquals(8, ChannelAlignedConv.alignedInputChannels(8));
        assertEquals(16, ChannelAlignedConv.alignedInputChannels(12));
        assertEquals(32, ChannelAlignedConv.alignedInputChannels(24));
        assertEquals(32, ChannelAlignedConv.alignedInputChannels(32));
        assertEquals(64, ChannelAlignedConv.alignedInputChannels(48));
        assertEquals(128, ChannelAlignedConv.alignedInputChannels(128));
        assertTrue(ChannelAlignedConv.needsOutputPadding(8, true));
        assertTrue(ChannelAlignedConv.needsOutputPadding(24, true));
        assertFalse(ChannelAlignedConv.needsOutputPadding(32, true));
        assertFalse(ChannelAlignedConv.needsOutputPadding(8, false));
    }
}
