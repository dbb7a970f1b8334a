package io.djlquant.zoo.workflow;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Arrays;

/** Single-image (batch 1) inference latency of a block on the engine of a manager. */
final class Latency {

    private static final int WARMUP = 10;

    private Latency() {}

    /**
     * Times {@code count} single-image forward passes (after a few untimed ones) and returns the
     * median in milliseconds; each pass includes creating the input and reading the logits back.
     */
    static double medianMillis(Block block, NDManager manager, ImageSet images, int count) {
        int n = Math.min(images.size(), WARMUP + count);
        double[] ms = new double[n - WARMUP];
        ParameterStore ps = new ParameterStore(manager, false);
        Shape shape = new Shape(1, ImageSet.CHANNELS, ImageSet.SIZE, ImageSet.SIZE);
        // The batched evaluation's warm-up as well: batch 1 takes other kernel paths than the
        // evaluation before it, which the JIT has yet to compile.
        Predictions.warmUp(block, manager, ps, images, 1);
        for (int i = 0; i < n; i++) {
            float[] x = images.pixels(i, i + 1);
            try (NDManager scope = manager.newSubManager()) {
                long t0 = System.nanoTime();
                block.forward(ps, new NDList(scope.create(x, shape)), false)
                        .singletonOrThrow()
                        .toType(DataType.FLOAT32, false)
                        .toFloatArray();
                long t1 = System.nanoTime();
                if (i >= WARMUP) {
                    ms[i - WARMUP] = (t1 - t0) / 1e6;
                }
            }
        }
        if (ms.length == 0) {
            throw new IllegalArgumentException("not enough images to time: " + images.size());
        }
        Arrays.sort(ms);
        return ms.length % 2 == 1
                ? ms[ms.length / 2]
                : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
    }
}
