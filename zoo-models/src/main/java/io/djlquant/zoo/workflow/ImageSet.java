package io.djlquant.zoo.workflow;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Dataset;
import io.djlquant.dataset.FashionMnist;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Fashion-MNIST images as network inputs (3x32x32, normalised as in training), held as float arrays
 * so the same bytes can be fed to any engine.
 */
final class ImageSet {

    static final int CHANNELS = 3;
    static final int SIZE = 32;
    static final int PIXELS = CHANNELS * SIZE * SIZE;

    private final FashionMnist dataset;
    private float[] all;

    /** The opened set that decodes and caches the pixels ({@code this} unless a tail). */
    private final ImageSet root;

    private final int offset;
    private final int count;

    private ImageSet(FashionMnist dataset, ImageSet root, int offset, int count) {
        this.dataset = dataset;
        this.root = root == null ? this : root;
        this.offset = offset;
        this.count = count;
    }

    /** The first {@code limit} images of a split, prepared. */
    static ImageSet open(Path dir, Dataset.Usage usage, long limit, int batch)
            throws IOException, ai.djl.translate.TranslateException {
        FashionMnist ds = dataset(dir, usage, limit, batch, false);
        ds.prepare();
        return new ImageSet(ds, null, 0, Math.toIntExact(ds.size()));
    }

    /** The images from {@code from} on (sharing the decoded pixels). */
    ImageSet tail(int from) {
        if (from < 0 || from >= count) {
            throw new IllegalArgumentException("tail from " + from + " of " + count + " images");
        }
        return new ImageSet(dataset, root, offset + from, count - from);
    }

    /** A DJL dataset with the training layout (used for calibration and QAT batches). */
    static FashionMnist dataset(
            Path dir, Dataset.Usage usage, long limit, int batch, boolean shuffle) {
        return FashionMnist.builder()
                .optUsage(usage)
                .optDirectory(dir)
                .optImageSize(SIZE)
                .optChannels(CHANNELS)
                .optLimit(limit)
                .setSampling(batch, shuffle)
                .build();
    }

    int size() {
        return count;
    }

    int label(int i) {
        return dataset.getLabel(offset + i);
    }

    /** Images {@code [from, to)} as one NCHW float array (all images are converted once). */
    synchronized float[] pixels(int from, int to) {
        if (root != this) {
            return root.pixels(offset + from, offset + to);
        }
        if (all == null) {
            int n = count;
            float[] x = new float[n * PIXELS];
            try (NDManager scope = NDManager.newBaseManager("PyTorch")) {
                for (int i = 0; i < n; i++) {
                    try (NDManager one = scope.newSubManager()) {
                        float[] img = dataset.get(one, i).getData().head().toFloatArray();
                        System.arraycopy(img, 0, x, i * PIXELS, PIXELS);
                    }
                }
            }
            all = x;
        }
        return java.util.Arrays.copyOfRange(all, from * PIXELS, to * PIXELS);
    }
}
