package io.djlquant.imports;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every image file under a folder (recursively, sorted by path), preprocessed like torchvision's
 * ImageNet evaluation: resize the shorter side to {@code size * 256 / 224}, centre-crop {@code size
 * x size}, scale to [0, 1], normalise per channel (ImageNet mean 0.485/0.456/0.406, std
 * 0.229/0.224/0.225; for one grey channel their averages). The label is the index of the image's
 * first-level sub-folder among the sorted sub-folders (as torchvision's ImageFolder), or 0 for
 * images directly in the folder. Meant for calibration, where labels are not needed.
 */
public final class ImageFiles extends RandomAccessDataset {

    /** ImageNet channel means (RGB). */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

    /** ImageNet channel standard deviations (RGB). */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif");

    private final Path root;
    private final int size;
    private final int channels;
    private final List<Path> files;
    private final int[] labels;

    private ImageFiles(Builder b) throws IOException {
        super(b);
        root = b.root;
        size = b.size;
        channels = b.channels;
        if (!Files.isDirectory(root)) {
            throw new IOException("calibration folder " + root + " does not exist");
        }
        try (Stream<Path> s = Files.walk(root)) {
            files =
                    s.filter(Files::isRegularFile)
                            .filter(ImageFiles::isImage)
                            .sorted()
                            .collect(Collectors.toList());
        }
        if (files.isEmpty()) {
            throw new IOException("no images (" + EXTENSIONS + ") under " + root);
        }
        List<String> classes;
        try (Stream<Path> s = Files.list(root)) {
            classes =
                    s.filter(Files::isDirectory)
                            .map(p -> p.getFileName().toString())
                            .sorted()
                            .collect(Collectors.toList());
        }
        labels = new int[files.size()];
        for (int i = 0; i < labels.length; i++) {
            Path rel = root.relativize(files.get(i));
            labels[i] = rel.getNameCount() > 1 ? classes.indexOf(rel.getName(0).toString()) : 0;
        }
    }

    /**
     * @return a builder; set the folder, then sampling as for every DJL dataset
     */
    public static Builder builder() {
        return new Builder();
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /**
     * @return the image files, in dataset order
     */
    public List<Path> getFiles() {
        return new ArrayList<>(files);
    }

    /** {@inheritDoc} */
    @Override
    public Record get(NDManager manager, long index) throws IOException {
        Path file = files.get(Math.toIntExact(index));
        Image image = ImageFactory.getInstance().fromFile(file);
        NDArray hwc =
                image.toNDArray(manager, channels == 1 ? Image.Flag.GRAYSCALE : Image.Flag.COLOR);
        int shorter = Math.round(size * 256f / 224f);
        int h = (int) hwc.getShape().get(0);
        int w = (int) hwc.getShape().get(1);
        int newH = h <= w ? shorter : Math.round((float) h * shorter / w);
        int newW = h <= w ? Math.round((float) w * shorter / h) : shorter;
        NDArray resized =
                NDImageUtils.resize(
                        hwc.toType(DataType.FLOAT32, false),
                        newW,
                        newH,
                        Image.Interpolation.BILINEAR);
        NDArray cropped = NDImageUtils.centerCrop(resized, size, size);
        NDArray chw = NDImageUtils.toTensor(cropped);
        float[] mean = channels == 1 ? new float[] {avg(IMAGENET_MEAN)} : IMAGENET_MEAN;
        float[] std = channels == 1 ? new float[] {avg(IMAGENET_STD)} : IMAGENET_STD;
        // NDImageUtils.normalize assumes three channels on PyTorch, so broadcast (C, 1, 1) here
        NDManager m = chw.getManager();
        NDArray x =
                chw.sub(m.create(mean, new Shape(channels, 1, 1)))
                        .div(m.create(std, new Shape(channels, 1, 1)));
        return new Record(new NDList(x), new NDList(manager.create((float) labels[(int) index])));
    }

    private static float avg(float[] v) {
        return (v[0] + v[1] + v[2]) / 3f;
    }

    /** {@inheritDoc} */
    @Override
    protected long availableSize() {
        return files.size();
    }

    /** {@inheritDoc} */
    @Override
    public void prepare(Progress progress) {
        // the file list is built in the constructor; images are decoded on demand
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "ImageFiles("
                + root
                + ", "
                + files.size()
                + " images, "
                + channels
                + "x"
                + size
                + "x"
                + size
                + ")";
    }

    /** Builder for {@link ImageFiles}. */
    public static final class Builder extends BaseBuilder<Builder> {
        private Path root;
        private int size = 224;
        private int channels = 3;

        Builder() {}

        /** {@inheritDoc} */
        @Override
        protected Builder self() {
            return this;
        }

        /**
         * @param root the folder searched recursively for images
         * @return this builder
         */
        public Builder setRoot(Path root) {
            this.root = root;
            return this;
        }

        /**
         * @param size the square output side (default 224)
         * @return this builder
         */
        public Builder optImageSize(int size) {
            if (size <= 0) {
                throw new IllegalArgumentException("image size must be > 0, got " + size);
            }
            this.size = size;
            return this;
        }

        /**
         * @param channels 3 (RGB, default) or 1 (grey)
         * @return this builder
         */
        public Builder optChannels(int channels) {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
            }
            this.channels = channels;
            return this;
        }

        /**
         * @return the dataset
         * @throws IOException if the folder is missing or holds no images
         */
        public ImageFiles build() throws IOException {
            if (root == null) {
                throw new IllegalArgumentException("ImageFiles needs a folder: call setRoot");
            }
            if (sampler == null) {
                throw new IllegalStateException(
                        "ImageFiles needs a sampler: call setSampling(batchSize, shuffle)");
            }
            return new ImageFiles(this);
        }
    }
}
