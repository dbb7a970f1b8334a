package io.djlquant.training;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Immutable hyper-parameters of a training run (named to avoid a clash with DJL's {@code
 * TrainingConfig}). Build with {@link #builder()}; every value is checked in {@link
 * Builder#build()}.
 */
public final class TrainOptions {

    /** The optimizer family. */
    public enum OptimizerKind {
        /** Stochastic gradient descent with (heavy-ball) momentum. */
        SGD_MOMENTUM,
        /** Adam. */
        ADAM
    }

    private final int epochs;
    private final int batchSize;
    private final float learningRate;
    private final OptimizerKind optimizer;
    private final float momentum;
    private final float weightDecay;
    private final boolean cosineSchedule;
    private final long limit;
    private final long testLimit;
    private final int imageSize;
    private final int channels;
    private final Path outputDir;
    private final String modelName;
    private final boolean resume;
    private final boolean verbose;
    private final Long seed;

    private TrainOptions(Builder b) {
        epochs = b.epochs;
        batchSize = b.batchSize;
        learningRate = b.learningRate;
        optimizer = b.optimizer;
        momentum = b.momentum;
        weightDecay = b.weightDecay;
        cosineSchedule = b.cosineSchedule;
        limit = b.limit;
        testLimit = b.testLimit;
        imageSize = b.imageSize;
        channels = b.channels;
        outputDir = b.outputDir;
        modelName = b.modelName;
        resume = b.resume;
        verbose = b.verbose;
        seed = b.seed;
    }

    /**
     * Creates a builder with the defaults: 1 epoch, batch 64, lr 0.05, SGD momentum 0.9, no weight
     * decay, constant lr, whole datasets, 32x32x3 images, no output directory, model name "float".
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the number of epochs (in total, counting epochs restored by a resume). */
    public int epochs() {
        return epochs;
    }

    /** Returns the mini-batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** Returns the (initial) learning rate. */
    public float learningRate() {
        return learningRate;
    }

    /** Returns the optimizer family. */
    public OptimizerKind optimizer() {
        return optimizer;
    }

    /** Returns the SGD momentum (ignored by Adam). */
    public float momentum() {
        return momentum;
    }

    /** Returns the L2 weight decay. */
    public float weightDecay() {
        return weightDecay;
    }

    /** Returns whether the learning rate follows a cosine decay to 0 over all steps. */
    public boolean cosineSchedule() {
        return cosineSchedule;
    }

    /** Returns the maximum number of training images used. */
    public long limit() {
        return limit;
    }

    /** Returns the maximum number of test images evaluated. */
    public long testLimit() {
        return testLimit;
    }

    /** Returns the square image side fed to the network. */
    public int imageSize() {
        return imageSize;
    }

    /** Returns the number of image channels (1 or 3). */
    public int channels() {
        return channels;
    }

    /** Returns the checkpoint directory, or null for no checkpoints. */
    public Path outputDir() {
        return outputDir;
    }

    /** Returns the name prefix of checkpoint files. */
    public String modelName() {
        return modelName;
    }

    /** Returns whether to continue from the latest checkpoint in {@link #outputDir()}. */
    public boolean resume() {
        return resume;
    }

    /** Returns whether to attach DJL's logging listeners (progress bars, per-epoch log). */
    public boolean verbose() {
        return verbose;
    }

    /** Returns the random seed for parameter initialisation and shuffling, or null. */
    public Long seed() {
        return seed;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "TrainOptions{epochs="
                + epochs
                + ", batch="
                + batchSize
                + ", lr="
                + learningRate
                + ", optimizer="
                + optimizer
                + ", momentum="
                + momentum
                + ", wd="
                + weightDecay
                + ", cosine="
                + cosineSchedule
                + ", limit="
                + limit
                + ", testLimit="
                + testLimit
                + ", image="
                + channels
                + "x"
                + imageSize
                + "x"
                + imageSize
                + ", out="
                + outputDir
                + ", name="
                + modelName
                + ", resume="
                + resume
                + ", seed="
                + seed
                + "}";
    }

    /** Builder for {@link TrainOptions}. */
    public static final class Builder {
        private int epochs = 1;
        private int batchSize = 64;
        private float learningRate = 0.05f;
        private OptimizerKind optimizer = OptimizerKind.SGD_MOMENTUM;
        private float momentum = 0.9f;
        private float weightDecay;
        private boolean cosineSchedule;
        private long limit = Long.MAX_VALUE;
        private long testLimit = Long.MAX_VALUE;
        private int imageSize = 32;
        private int channels = 3;
        private Path outputDir;
        private String modelName = "float";
        private boolean resume;
        private boolean verbose;
        private Long seed;

        Builder() {}

        /** Sets the number of epochs, at least 1. */
        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        /** Sets the mini-batch size, at least 1. */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** Sets the learning rate, positive. */
        public Builder learningRate(float v) {
            learningRate = v;
            return this;
        }

        /** Sets the optimizer family. */
        public Builder optimizer(OptimizerKind v) {
            optimizer = Objects.requireNonNull(v, "optimizer");
            return this;
        }

        /** Sets the SGD momentum in [0, 1). */
        public Builder momentum(float v) {
            momentum = v;
            return this;
        }

        /** Sets the weight decay, at least 0. */
        public Builder weightDecay(float v) {
            weightDecay = v;
            return this;
        }

        /** Sets whether to decay the learning rate with a cosine to 0. */
        public Builder cosineSchedule(boolean v) {
            cosineSchedule = v;
            return this;
        }

        /** Sets the maximum number of training images, at least 1. */
        public Builder limit(long v) {
            limit = v;
            return this;
        }

        /** Sets the maximum number of test images, at least 1. */
        public Builder testLimit(long v) {
            testLimit = v;
            return this;
        }

        /** Sets the square image side, at least 28 (padding). */
        public Builder imageSize(int v) {
            imageSize = v;
            return this;
        }

        /** Sets the image channels, 1 or 3. */
        public Builder channels(int v) {
            channels = v;
            return this;
        }

        /** Sets the checkpoint directory, or null for none. */
        public Builder outputDir(Path v) {
            outputDir = v;
            return this;
        }

        /** Sets the checkpoint file prefix (letters, digits, '-', '_'). */
        public Builder modelName(String v) {
            modelName = Objects.requireNonNull(v, "modelName");
            return this;
        }

        /** Sets whether to continue from the latest checkpoint. */
        public Builder resume(boolean v) {
            resume = v;
            return this;
        }

        /** Sets whether to attach DJL's logging listeners. */
        public Builder verbose(boolean v) {
            verbose = v;
            return this;
        }

        /** Sets the random seed, or null for none. */
        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the options
         * @throws IllegalArgumentException naming the first bad value
         */
        public TrainOptions build() {
            check(epochs >= 1, "epochs must be >= 1, got " + epochs);
            check(batchSize >= 1, "batch size must be >= 1, got " + batchSize);
            check(
                    learningRate > 0 && Float.isFinite(learningRate),
                    "learning rate must be positive and finite, got " + learningRate);
            check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
            check(
                    weightDecay >= 0 && Float.isFinite(weightDecay),
                    "weight decay must be >= 0, got " + weightDecay);
            check(limit >= 1, "limit must be >= 1, got " + limit);
            check(testLimit >= 1, "test limit must be >= 1, got " + testLimit);
            check(imageSize >= 1, "image size must be >= 1, got " + imageSize);
            check(channels == 1 || channels == 3, "channels must be 1 or 3, got " + channels);
            check(
                    modelName.matches("[A-Za-z0-9_-]+"),
                    "model name must use letters, digits, '-' or '_', got '" + modelName + "'");
            check(!resume || outputDir != null, "resume needs an output directory");
            return new TrainOptions(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
