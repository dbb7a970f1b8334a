package io.djlquant.it;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The Fashion-MNIST test split as an application would see it: {@link Image}s built with DJL's
 * {@link ImageFactory} from the raw IDX bytes (gray 28x28, stored as opaque ARGB), plus labels.
 */
final class FashionMnistTestImages {

    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    final List<Image> images;
    final int[] labels;

    /** The gray 28x28 pixels, 784 bytes per image. */
    final byte[] pixels;

    private FashionMnistTestImages(List<Image> images, int[] labels, byte[] pixels) {
        this.images = images;
        this.labels = labels;
        this.pixels = pixels;
    }

    /** Reads the first {@code limit} test images. */
    static FashionMnistTestImages read(int limit) throws IOException {
        byte[] pixels;
        int count;
        try (DataInputStream in = open("t10k-images-idx3-ubyte.gz")) {
            check(in.readInt() == 0x00000803, "bad image file magic");
            count = Math.min(limit, in.readInt());
            check(in.readInt() == 28 && in.readInt() == 28, "images are not 28x28");
            pixels = new byte[count * 784];
            in.readFully(pixels);
        }
        int[] labels = new int[count];
        try (DataInputStream in = open("t10k-labels-idx1-ubyte.gz")) {
            check(in.readInt() == 0x00000801, "bad label file magic");
            check(in.readInt() >= count, "fewer labels than images");
            for (int i = 0; i < count; i++) {
                labels[i] = in.readUnsignedByte();
            }
        }
        ImageFactory factory = ImageFactory.getInstance();
        List<Image> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int[] argb = new int[784];
            for (int p = 0; p < 784; p++) {
                int v = pixels[i * 784 + p] & 0xFF;
                argb[p] = 0xFF000000 | v << 16 | v << 8 | v;
            }
            images.add(factory.fromPixels(argb, 28, 28));
        }
        return new FashionMnistTestImages(images, labels, pixels);
    }

    private static DataInputStream open(String name) throws IOException {
        Path file = DIR.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IOException(
                    file + " is missing: install the Debian package dataset-fashion-mnist");
        }
        InputStream is = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
        return new DataInputStream(new java.io.BufferedInputStream(is, 1 << 16));
    }

    private static void check(boolean ok, String what) throws IOException {
        if (!ok) {
            throw new IOException("Fashion-MNIST test files: " + what);
        }
    }
}
