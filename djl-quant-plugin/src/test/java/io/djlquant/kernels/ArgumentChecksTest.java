package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments fail fast with an IllegalArgumentException that names the problem. */
class ArgumentChecksTest {

    private static final ActivationQuant U8 = ActivationQuant.uint8(0.1f, 128);

    private static void fails(String expectedFragment, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().contains(expectedFragment),
                "message '" + e.getMessage() + "' should mention '" + expectedFragment + "'");
    }

    @Test
    void activationQuantValidation() {
        fails("scale", () -> ActivationQuant.uint8(0f, 0));
        fails("scale", () -> ActivationQuant.uint8(Float.NaN, 0));
        fails("zeroPoint", () -> ActivationQuant.uint8(1f, 256));
        fails("zeroPoint", () -> ActivationQuant.int8(1f, 128));
        fails("does not fit", () -> new ActivationQuant(1f, 0, -1, 200));
        fails("qmin", () -> new ActivationQuant(1f, 0, 5, 1));
    }

    @Test
    void requantMultipliers() {
        // DESIGN.md: computed in double, rounded to float once. Float steps would give 0.06666667f
        // here.
        float[] m = Int8Kernels.requantMultipliers(0.1f, new float[] {0.2f, 2f}, 0.3f);
        assertEquals(0.06666666f, m[0]);
        assertNotEquals(0.1f * 0.2f / 0.3f, m[0]);
        assertEquals((float) (0.1f * 2.0 / 0.3f), m[1]);
        fails(
                "weightScales[1]",
                () -> Int8Kernels.requantMultipliers(1f, new float[] {1f, 0f}, 1f));
        fails("outputScale", () -> Int8Kernels.requantMultipliers(1f, new float[] {1f}, Float.NaN));
        fails("inputScale", () -> Int8Kernels.requantMultipliers(-1f, new float[] {1f}, 1f));
    }

    @Test
    void convParamsValidation() {
        fails("stride", () -> ConvParams.of(0, 0, 1));
        fails("padding", () -> ConvParams.of(1, -1, 1));
        fails("dilation", () -> ConvParams.of(1, 0, 0));
    }

    @Test
    void packingValidation() {
        fails(
                "weights has length 10",
                () -> PackedConvWeights.pack(new byte[10], 2, 3, 3, 3, 1, null));
        fails(
                "groups 2 must divide",
                () -> PackedConvWeights.pack(new byte[27], 3, 3, 3, 3, 2, null));
        fails("outChannels", () -> PackedConvWeights.pack(new byte[0], -1, 3, 3, 3, 1, null));
        fails("bias", () -> PackedConvWeights.pack(new byte[54], 2, 3, 3, 3, 1, new int[3]));
        fails("weights must not be null", () -> PackedConvWeights.pack(null, 2, 3, 3, 3, 1, null));
        fails("weights has length", () -> PackedLinearWeights.pack(new byte[5], 2, 3, null));
        fails("inFeatures", () -> PackedLinearWeights.pack(new byte[0], 2, 0, null));
        fails("bias", () -> PackedLinearWeights.pack(new byte[6], 2, 3, new int[1]));
    }

    @Test
    void convValidation() {
        PackedConvWeights w = PackedConvWeights.pack(new byte[2 * 4 / 2 * 9], 2, 4, 3, 3, 2, null);
        ConvParams p = ConvParams.of(1, 1, 1);
        float[] m = {0.1f, 0.1f};
        fails(
                "x has length",
                () -> Int8Kernels.conv2d(new byte[10], 1, 4, 3, 3, U8, w, p, m, U8, false));
        fails(
                "x must not be null",
                () -> Int8Kernels.conv2d(null, 1, 4, 3, 3, U8, w, p, m, U8, false));
        fails("batch", () -> Int8Kernels.conv2d(new byte[36], -1, 4, 3, 3, U8, w, p, m, U8, false));
        fails("height", () -> Int8Kernels.conv2d(new byte[36], 1, 4, 0, 3, U8, w, p, m, U8, false));
        fails(
                "weights expect 4",
                () -> Int8Kernels.conv2d(new byte[54], 1, 6, 3, 3, U8, w, p, m, U8, false));
        fails(
                "multiplier has length 1",
                () ->
                        Int8Kernels.conv2d(
                                new byte[36], 1, 4, 3, 3, U8, w, p, new float[1], U8, false));
        fails(
                "multiplier[1]",
                () ->
                        Int8Kernels.conv2d(
                                new byte[36],
                                1,
                                4,
                                3,
                                3,
                                U8,
                                w,
                                p,
                                new float[] {1f, Float.NaN},
                                U8,
                                false));
        fails(
                "does not fit the padded input",
                () ->
                        Int8Kernels.conv2d(
                                new byte[16],
                                1,
                                4,
                                2,
                                2,
                                U8,
                                w,
                                ConvParams.of(1, 0, 1),
                                m,
                                U8,
                                false));
        fails(
                "in must not be null",
                () -> Int8Kernels.conv2d(new byte[36], 1, 4, 3, 3, null, w, p, m, U8, false));
    }

    @Test
    void linearValidation() {
        PackedLinearWeights w = PackedLinearWeights.pack(new byte[6], 2, 3, null);
        fails(
                "x has length 5",
                () -> Int8Kernels.linear(new byte[5], 2, U8, w, new float[2], U8, false));
        fails("rows", () -> Int8Kernels.linear(new byte[0], 0, U8, w, new float[2], U8, false));
        fails(
                "multiplier",
                () -> Int8Kernels.linear(new byte[3], 1, U8, w, new float[3], U8, false));
    }

    @Test
    void elementwiseAndPoolValidation() {
        fails("b has length 3", () -> Int8Kernels.add(new byte[2], U8, new byte[3], U8, U8, false));
        fails(
                "qb must not be null",
                () -> Int8Kernels.mul(new byte[2], U8, new byte[2], null, U8, false));
        fails(
                "x has length",
                () ->
                        Int8Kernels.maxPool2d(
                                new byte[5], 1, 1, 2, 2, U8, 2, 2, ConvParams.of(1, 0, 1)));
        fails(
                "at most half the kernel",
                () ->
                        Int8Kernels.maxPool2d(
                                new byte[16], 1, 1, 4, 4, U8, 2, 2, ConvParams.of(1, 2, 1)));
        fails(
                "kernelW",
                () ->
                        Int8Kernels.avgPool2d(
                                new byte[16], 1, 1, 4, 4, U8, 2, 0, ConvParams.of(1, 0, 1), true));
        fails(
                "dilation",
                () ->
                        Int8Kernels.avgPool2d(
                                new byte[16], 1, 1, 4, 4, U8, 2, 2, ConvParams.of(1, 0, 2), true));
        fails(
                "does not fit",
                () ->
                        Int8Kernels.avgPool2d(
                                new byte[4], 1, 1, 2, 2, U8, 3, 3, ConvParams.of(1, 0, 1), true));
        fails("channels", () -> Int8Kernels.globalAvgPool2d(new byte[4], 1, 0, 2, 2, U8));
        fails("x must not be null", () -> Int8Kernels.quantize(null, U8));
        fails("thread count", () -> Int8Kernels.setThreads(0));
    }
}
