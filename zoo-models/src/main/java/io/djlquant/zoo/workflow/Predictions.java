package io.djlquant.zoo.workflow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.util.ProgressBar;
import io.djlquant.quantized.ForeignArrays;

/** Arg-max predictions of a classifier over an {@link ImageSet}, and what they measure. */
final class Predictions {

    private final int[] predicted;
    private final double seconds;
    private final long foreignArrays;

    private Predictions(int[] predicted, double seconds, long foreignArrays) {
        this.predicted = predicted;
        this.seconds = seconds;
        this.foreignArrays = foreignArrays;
    }

    /**
     * Untimed passes over the first batch before the timed evaluation, for at least this long and
     * {@link #WARM_UP_PASSES} passes: the JIT compiles the int8 path during its first seconds
     * (measured: batch 100 at 32x32, the first batch 272 ms, from the 25th on about 55 ms) and
     * PyTorch sets up its kernels, so the per-image time is that of the steady state, for every
     * model alike (as JMH's warm-up iterations).
     */
    static final long WARM_UP_NANOS = 3_000_000_000L;

    /** Least number of untimed warm-up passes. */
    static final int WARM_UP_PASSES = 20;

    /**
     * Runs {@code block} in inference mode on every image, with inputs created by {@code manager}
     * (which fixes the engine), showing a DJL progress bar.
     */
    static Predictions run(
            String title, Block block, NDManager manager, ImageSet images, int batch) {
        return run(title, block, manager, images, batch, true);
    }

    /**
     * The same; {@code timed} false skips the warm-up passes (for runs whose time is not reported).
     */
    static Predictions run(
            String title,
            Block block,
            NDManager manager,
            ImageSet images,
            int batch,
            boolean timed) {
        int n = images.size();
        int[] out = new int[n];
        ProgressBar bar = new ProgressBar(title, (n + batch - 1) / batch);
        ParameterStore ps = new ParameterStore(manager, false);
        if (timed) {
            warmUp(block, manager, ps, images, Math.min(n, batch));
        }
        long compute = 0;
        long foreignBefore = ForeignArrays.count();
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            float[] x = images.pixels(from, to);
            try (NDManager scope = manager.newSubManager()) {
                long t0 = System.nanoTime();
                NDArray in =
                        scope.create(
                                x,
                                new Shape(
                                        to - from,
                                        ImageSet.CHANNELS,
                                        ImageSet.SIZE,
                                        ImageSet.SIZE));
                NDArray logits = block.forward(ps, new NDList(in), false).singletonOrThrow();
                float[] z = logits.toType(DataType.FLOAT32, false).toFloatArray();
                compute += System.nanoTime() - t0;
                int classes = z.length / (to - from);
                for (int r = 0; r < to - from; r++) {
                    out[from + r] = argmax(z, r * classes, classes);
                }
            }
            bar.increment(1);
        }
        bar.end();
        return new Predictions(out, compute / 1e9, ForeignArrays.count() - foreignBefore);
    }

    /** Untimed passes of the first {@code batch} images, as described at {@link #WARM_UP_NANOS}. */
    static void warmUp(
            Block block, NDManager manager, ParameterStore ps, ImageSet images, int batch) {
        float[] x = images.pixels(0, batch);
        long start = System.nanoTime();
        for (int i = 0; i < WARM_UP_PASSES || System.nanoTime() - start < WARM_UP_NANOS; i++) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray in =
                        scope.create(
                                x,
                                new Shape(batch, ImageSet.CHANNELS, ImageSet.SIZE, ImageSet.SIZE));
                block.forward(ps, new NDList(in), false)
                        .singletonOrThrow()
                        .toType(DataType.FLOAT32, false)
                        .toFloatArray();
            }
        }
    }

    // Ties go to the lowest class, as in io.djlquant.training.Evaluator.
    static int argmax(float[] z, int offset, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (z[offset + c] > z[offset + best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * Arrays of another engine that Q blocks received or returned during the run: 0 when the inputs
     * were JavaQuant arrays, so that the model ran int8 from its input to its logits.
     */
    long foreignArrays() {
        return foreignArrays;
    }

    int[] predicted() {
        return predicted.clone();
    }

    /**
     * Milliseconds of forward pass per image over the evaluation, after the warm-up passes (input
     * creation and arg-max included, data loading not).
     */
    double millisPerImage() {
        return 1000 * seconds / predicted.length;
    }

    /** Fraction of images whose prediction equals the label. */
    double top1(ImageSet images) {
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == images.label(i) ? 1 : 0;
        }
        return correct / (double) predicted.length;
    }

    /** Fraction of images on which both classifiers predict the same class. */
    double agreement(Predictions other) {
        if (other.predicted.length != predicted.length) {
            throw new IllegalArgumentException("predictions over different image sets");
        }
        int same = 0;
        for (int i = 0; i < predicted.length; i++) {
            same += predicted[i] == other.predicted[i] ? 1 : 0;
        }
        return same / (double) predicted.length;
    }
}
