package io.djlquant.bench;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The first images of the Fashion-MNIST test set as DJL {@link Image}s, scaled (bilinear) to a
 * square RGB size: what an application holding pictures passes to an Image predictor.
 */
final class FashionMnistImages {

    /** Debian's copy of the test images (idx3, gzip). */
    static final Path TEST_IMAGES =
            Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");

    private static final int MAGIC = 2051;
    private static final int SIDE = 28;

    private FashionMnistImages() {}

    /** The first {@code count} test images at {@code side x side}, grey replicated into RGB. */
    static List<Image> read(Path file, int count, int side) throws IOException {
        byte[] pixels = readPixels(file, count);
        List<Image> images = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            BufferedImage grey = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
            grey.getRaster()
                    .setDataElements(
                            0,
                            0,
                            SIDE,
                            SIDE,
                            java.util.Arrays.copyOfRange(
                                    pixels, i * SIDE * SIDE, (i + 1) * SIDE * SIDE));
            BufferedImage rgb = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = rgb.createGraphics();
            g.setRenderingHint(
                    RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(grey, 0, 0, side, side, null);
            g.dispose();
            images.add(ImageFactory.getInstance().fromImage(rgb));
        }
        return images;
    }

    /** Header checked against what is asked before anything is allocated from it. */
    private static byte[] readPixels(Path file, int count) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            int magic = in.readInt();
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (magic != MAGIC || rows != SIDE || cols != SIDE) {
                throw new IOException(
                        file
                                + ": not Fashion-MNIST images (magic "
                                + magic
                                + ", "
                                + rows
                                + "x"
                                + cols
                                + ")");
            }
            if (count < 1 || count > n) {
                throw new IOException(file + " holds " + n + " images, asked for " + count);
            }
            byte[] pixels = new byte[count * SIDE * SIDE];
            in.readFully(pixels);
            return pixels;
        }
    }
}
