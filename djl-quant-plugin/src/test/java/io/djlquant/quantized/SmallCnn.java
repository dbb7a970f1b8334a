package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import io.djlquant.nn.ConvBn2d;
import io.djlquant.nn.ConvBnRelu2d;
import io.djlquant.nn.DequantStub;
import io.djlquant.nn.ElementWise;
import io.djlquant.nn.GlobalAvgPool2d;
import io.djlquant.nn.Identity;
import io.djlquant.nn.MaxPool2d;
import io.djlquant.nn.PlainLinear;
import io.djlquant.nn.QuantStub;
import io.djlquant.nn.Residual;
import java.util.Random;

/** The float test CNN and a synthetic Fashion-MNIST-like data set (1x28x28, 10 classes). */
final class SmallCnn {

    static final int CLASSES = 10;
    static final int SIDE = 28;

    private SmallCnn() {}

    private static Block conv(int filters, int k, int stride, boolean relu) {
        Shape kernel = new Shape(k, k);
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(k / 2, k / 2);
        return relu
                ? ConvBnRelu2d.builder()
                        .setKernelShape(kernel)
                        .setFilters(filters)
                        .optStride(s)
                        .optPadding(p)
                        .build()
                : ConvBn2d.builder()
                        .setKernelShape(kernel)
                        .setFilters(filters)
                        .optStride(s)
                        .optPadding(p)
                        .build();
    }

    /**
     * QuantStub -> ConvBnRelu2d -> MaxPool2d -> Residual(ConvBnRelu2d + ConvBn2d, Identity,
     * ADD_RELU) -> Residual(stride-2 main, 1x1 stride-2 ConvBn2d shortcut, ADD_RELU) ->
     * GlobalAvgPool2d -> PlainLinear -> DequantStub.
     */
    static SequentialBlock build() {
        return new SequentialBlock()
                .add(new QuantStub())
                .add(conv(8, 3, 1, true))
                .add(new MaxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)))
                .add(
                        new Residual(
                                new SequentialBlock()
                                        .add(conv(8, 3, 1, true))
                                        .add(conv(8, 3, 1, false)),
                                new Identity(),
                                new ElementWise(ElementWise.Mode.ADD_RELU)))
                .add(
                        new Residual(
                                new SequentialBlock()
                                        .add(conv(16, 3, 2, true))
                                        .add(conv(16, 3, 1, false)),
                                conv(16, 1, 2, false),
                                new ElementWise(ElementWise.Mode.ADD_RELU)))
                .add(new GlobalAvgPool2d())
                .add(PlainLinear.builder().setUnits(CLASSES).build())
                .add(new DequantStub());
    }

    /** Class prototypes: a few random bright rectangles per class on a dark background. */
    static float[][] prototypes(long seed) {
        Random r = new Random(seed);
        float[][] protos = new float[CLASSES][SIDE * SIDE];
        for (int c = 0; c < CLASSES; c++) {
            for (int k = 0; k < 3; k++) {
                int y0 = r.nextInt(SIDE - 8);
                int x0 = r.nextInt(SIDE - 8);
                int h = 4 + r.nextInt(12);
                int w = 4 + r.nextInt(12);
                float v = 0.4f + 0.6f * r.nextFloat();
                for (int y = y0; y < Math.min(SIDE, y0 + h); y++) {
                    for (int x = x0; x < Math.min(SIDE, x0 + w); x++) {
                        protos[c][y * SIDE + x] = v;
                    }
                }
            }
        }
        return protos;
    }

    /**
     * Noisy images of random classes.
     *
     * @param protos the prototypes
     * @param n the number of images
     * @param seed the seed
     * @param labels filled with the classes (length n)
     * @return n x 28 x 28 pixels in [0, 1]
     */
    static float[] images(float[][] protos, int n, long seed, float[] labels) {
        Random r = new Random(seed);
        float[] x = new float[n * SIDE * SIDE];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(CLASSES);
            labels[i] = c;
            for (int p = 0; p < SIDE * SIDE; p++) {
                float v = protos[c][p] + 0.25f * (float) r.nextGaussian();
                x[i * SIDE * SIDE + p] = Math.max(0f, Math.min(1f, v));
            }
        }
        return x;
    }
}
