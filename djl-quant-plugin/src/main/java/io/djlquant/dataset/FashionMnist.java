package io.djlquant.dataset;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Fashion-MNIST read from the IDX files of the Debian package {@code dataset-fashion-mnist}.
 *
 * <p>The decoded pixels stay in one compact {@code byte[]} (784 bytes per image); each {@link #get}
 * builds a float32 CHW image on demand, padded (centred, background 0 before normalisation) or
 * bilinearly resized to the configured square size, optionally replicated to 3 channels, and
 * normalised as {@code (pixel / 255 - mean) / std}. The label is a float32 scalar.
 */
public final class FashionMnist extends RandomAccessDataset {

    /** Number of classes. */
    public static final int NUM_CLASSES = 10;

    /** Side length of the images stored in the files. */
    public static final int ORIGINAL_SIZE = 28;

    /** Mean of all Fashion-MNIST training pixels scaled to [0, 1]. */
    public static final float DEFAULT_MEAN = 0.2860f;

    /** Standard deviation of all Fashion-MNIST training pixels scaled to [0, 1]. */
    public static final float DEFAULT_STD = 0.3530f;

    /** Where the Debian package installs the files. */
    public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    private static final List<String> CLASS_NAMES =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    /** How images are brought from 28x28 to the requested size. */
    public enum SizeMode {
        /** Centre the 28x28 image on a background-filled canvas (size must be at least 28). */
        PAD,
        /** Bilinear resize (half-pixel centres, as PyTorch with align_corners=false). */
        RESIZE
    }

    private final Usage usage;
    private final Path directory;
    private final ImageTransform transform;

    private volatile boolean prepared;
    private byte[] pixels;
    private byte[] labels;

    private FashionMnist(Builder builder) {
        super(builder);
        this.usage = builder.usage;
        this.directory = builder.directory;
        this.transform =
                new ImageTransform(
                        ORIGINAL_SIZE,
                        builder.imageSize,
                        builder.sizeMode,
                        builder.channels,
                        builder.mean,
                        builder.std);
    }

    /**
     * Creates a builder.
     *
     * @return a new builder with the defaults (train split, Debian directory, 28x28, 1 channel,
     *     default mean/std)
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the ten class names, indexed by label.
     *
     * @return an immutable list of the class names
     */
    public static List<String> classNames() {
        return CLASS_NAMES;
    }

    /**
     * Returns the split this dataset reads.
     *
     * @return {@link Usage#TRAIN} or {@link Usage#TEST}
     */
    public Usage getUsage() {
        return usage;
    }

    /**
     * Returns the shape of one image as produced by {@link #get}.
     *
     * @return {@code (channels, size, size)}
     */
    public Shape getImageShape() {
        return transform.shape();
    }

    /**
     * Returns the path of the image file of this split.
     *
     * @return the gzip IDX image file
     */
    public Path imagesFile() {
        return directory.resolve(filePrefix() + "-images-idx3-ubyte.gz");
    }

    /**
     * Returns the path of the label file of this split.
     *
     * @return the gzip IDX label file
     */
    public Path labelsFile() {
        return directory.resolve(filePrefix() + "-labels-idx1-ubyte.gz");
    }

    /**
     * Parses both files with strict checks; later calls do nothing.
     *
     * @param progress optional progress reporter (may be null)
     * @throws IOException if a file is missing or corrupt; the message names the file
     */
    @Override
    public synchronized void prepare(Progress progress) throws IOException {
        if (prepared) {
            return;
        }
        if (progress != null) {
            progress.reset("Fashion-MNIST " + usage, 2);
        }
        DecodedCache.Decoded decoded =
                DecodedCache.get(imagesFile(), labelsFile(), () -> decode(progress));
        if (progress != null) {
            progress.end();
        }
        pixels = decoded.pixels();
        labels = decoded.labels();
        prepared = true;
    }

    private DecodedCache.Decoded decode(Progress progress) throws IOException {
        IdxReader.Images images = IdxReader.readImages(imagesFile(), ORIGINAL_SIZE, ORIGINAL_SIZE);
        if (progress != null) {
            progress.increment(1);
        }
        byte[] lbl = IdxReader.readLabels(labelsFile(), NUM_CLASSES);
        if (lbl.length != images.count()) {
            throw new IOException(
                    "Fashion-MNIST files disagree: "
                            + imagesFile()
                            + " holds "
                            + images.count()
                            + " images but "
                            + labelsFile()
                            + " holds "
                            + lbl.length
                            + " labels; "
                            + IdxReader.INSTALL_HINT);
        }
        return new DecodedCache.Decoded(images.pixels(), lbl);
    }

    /**
     * Returns one record: image float32 {@code (C, S, S)} and label float32 scalar.
     *
     * @param manager the manager that owns the new arrays
     * @param index the record index in {@code [0, size())}
     * @return the record
     */
    @Override
    public Record get(NDManager manager, long index) {
        int i = checkIndex(index);
        float[] image = transform.apply(pixels, i * ORIGINAL_SIZE * ORIGINAL_SIZE);
        NDList data = new NDList(manager.create(image, transform.shape()));
        NDList label = new NDList(manager.create((float) (labels[i] & 0xFF)));
        return new Record(data, label);
    }

    /**
     * Returns the class label of one record without creating arrays.
     *
     * @param index the record index in {@code [0, size())}
     * @return the label in {@code [0, 9]}
     */
    public int getLabel(long index) {
        return labels[checkIndex(index)] & 0xFF;
    }

    /** {@inheritDoc} */
    @Override
    protected long availableSize() {
        requirePrepared();
        return labels.length;
    }

    private int checkIndex(long index) {
        requirePrepared();
        long size = size();
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(
                    "index " + index + " outside Fashion-MNIST " + usage + " of size " + size);
        }
        return (int) index;
    }

    private void requirePrepared() {
        if (!prepared) {
            throw new IllegalStateException(
                    "Fashion-MNIST is not loaded yet: call prepare() first");
        }
    }

    private String filePrefix() {
        return usage == Usage.TRAIN ? "train" : "t10k";
    }

    /** Builder for {@link FashionMnist}; sampling must be set as for every DJL dataset. */
    public static final class Builder extends BaseBuilder<Builder> {

        private Usage usage = Usage.TRAIN;
        private Path directory = DEFAULT_DIRECTORY;
        private int imageSize = ORIGINAL_SIZE;
        private SizeMode sizeMode = SizeMode.PAD;
        private int channels = 1;
        private float mean = DEFAULT_MEAN;
        private float std = DEFAULT_STD;

        Builder() {}

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Selects the split.
         *
         * @param usage {@link Usage#TRAIN} (60,000 images) or {@link Usage#TEST} (10,000)
         * @return this builder
         */
        public Builder optUsage(Usage usage) {
            Objects.requireNonNull(usage, "usage");
            if (usage != Usage.TRAIN && usage != Usage.TEST) {
                throw new IllegalArgumentException(
                        "Fashion-MNIST has only TRAIN and TEST splits, not " + usage);
            }
            this.usage = usage;
            return this;
        }

        /**
         * Sets the directory holding the four gzip IDX files.
         *
         * @param directory the directory
         * @return this builder
         */
        public Builder optDirectory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Sets a square output size reached by centred padding.
         *
         * @param size the side length, at least 28
         * @return this builder
         */
        public Builder optImageSize(int size) {
            return optImageSize(size, SizeMode.PAD);
        }

        /**
         * Sets a square output size and how to reach it.
         *
         * @param size the side length
         * @param mode {@link SizeMode#PAD} (needs size >= 28) or {@link SizeMode#RESIZE}
         * @return this builder
         */
        public Builder optImageSize(int size, SizeMode mode) {
            this.imageSize = size;
            this.sizeMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets the channel count; 3 replicates the grey plane.
         *
         * @param channels 1 or 3
         * @return this builder
         */
        public Builder optChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /**
         * Sets normalisation {@code (pixel / 255 - mean) / std}; use (0, 1) for plain [0, 1].
         *
         * @param mean the mean subtracted
         * @param std the divisor, positive
         * @return this builder
         */
        public Builder optNormalize(float mean, float std) {
            this.mean = mean;
            this.std = std;
            return this;
        }

        /**
         * Builds the dataset (nothing is read until {@link FashionMnist#prepare}).
         *
         * @return the dataset
         */
        public FashionMnist build() {
            if (sampler == null) {
                throw new IllegalStateException(
                        "Fashion-MNIST needs a sampler: call setSampling(batchSize, shuffle)");
            }
            if (limit <= 0) {
                throw new IllegalArgumentException("limit must be positive, got " + limit);
            }
            return new FashionMnist(this);
        }
    }
}
