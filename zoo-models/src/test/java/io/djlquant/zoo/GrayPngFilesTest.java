package io.djlquant.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Application;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.dataset.Dataset;
import io.djlquant.dataset.FashionMnist;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fashion-MNIST test images written as ordinary gray PNG files and read back with DJL's {@code
 * ImageFactory.fromFile}, as a user with a folder of images would: the translator must see the
 * exact training pixels, and the zoo's int8 ResNet18 must predict what it predicts on them.
 *
 * <p>{@code -Ddjlquant.zoo.pngImages=N} sets the image count (default {@value #DEFAULT_IMAGES}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrayPngFilesTest {

    static final int DEFAULT_IMAGES = 500;

    private static final ImageConversion CONV =
            new ImageConversion(28, 32, 3, FashionMnist.DEFAULT_MEAN, FashionMnist.DEFAULT_STD);

    private final List<Image> exact = new ArrayList<>();
    private final List<Image> fromFiles = new ArrayList<>();
    private int[] labels;

    @BeforeAll
    void writeAndReadPngFiles(@TempDir Path dir) throws Exception {
        int n = Integer.getInteger("djlquant.zoo.pngImages", DEFAULT_IMAGES);
        FashionMnist raw =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TEST)
                        .optNormalize(0f, 1f)
                        .optLimit(n)
                        .setSampling(1, false)
                        .build();
        raw.prepare();
        labels = new int[n];
        ImageFactory factory = ImageFactory.getInstance();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (int i = 0; i < n; i++) {
                var record = raw.get(m, i);
                float[] plain = record.getData().head().toFloatArray();
                labels[i] = (int) record.getLabels().head().getFloat();
                int[] argb = new int[28 * 28];
                BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                for (int p = 0; p < argb.length; p++) {
                    int v = Math.round(plain[p] * 255f);
                    argb[p] = 0xFF000000 | v << 16 | v << 8 | v;
                    gray.getRaster().setSample(p % 28, p / 28, 0, v);
                }
                Path file = dir.resolve(i + ".png");
                assertTrue(ImageIO.write(gray, "png", file.toFile()), "no PNG writer");
                exact.add(factory.fromPixels(argb, 28, 28));
                fromFiles.add(factory.fromFile(file));
            }
        }
        BufferedImage first = (BufferedImage) fromFiles.get(0).getWrappedImage();
        assertEquals(
                BufferedImage.TYPE_BYTE_GRAY,
                first.getType(),
                "ImageIO read the file as another type");
        assertTrue(Files.size(dir.resolve("0.png")) < 2000, "not an 8-bit gray PNG");
    }

    @Test
    void pngFilesGiveTheExactPixelTensor() {
        for (int i = 0; i < exact.size(); i++) {
            assertArrayEquals(
                    CONV.toFloats(exact.get(i)), CONV.toFloats(fromFiles.get(i)), 0f, "image " + i);
        }
    }

    @Test
    void sixteenBitGrayKeepsTheLevels(@TempDir Path dir) throws Exception {
        BufferedImage deep = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        int[] argb = new int[28 * 28];
        for (int p = 0; p < argb.length; p++) {
            int v = (p * 7) % 256;
            deep.getRaster().setSample(p % 28, p / 28, 0, v * 257);
            argb[p] = 0xFF000000 | v << 16 | v << 8 | v;
        }
        Path file = dir.resolve("deep.png");
        assertTrue(ImageIO.write(deep, "png", file.toFile()));
        Image img = ImageFactory.getInstance().fromFile(file);
        assertEquals(
                BufferedImage.TYPE_USHORT_GRAY, ((BufferedImage) img.getWrappedImage()).getType());
        Image reference = ImageFactory.getInstance().fromPixels(argb, 28, 28);
        assertArrayEquals(CONV.toFloats(reference), CONV.toFloats(img), 0f);
    }

    @Test
    void int8ModelPredictsTheSameFromFiles() throws Exception {
        Criteria<Image, Classifications> criteria =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optApplication(Application.CV.IMAGE_CLASSIFICATION)
                        .optArtifactId("resnet18")
                        .optEngine("JavaQuant")
                        .optFilter("dataset", "fashion-mnist")
                        .optFilter("quantization", "qat")
                        .build();
        int[] onExact;
        int[] onFiles;
        try (ZooModel<Image, Classifications> model = criteria.loadModel();
                Predictor<Image, Classifications> predictor = model.newPredictor()) {
            onExact = ZooPredictions.best(predictor, exact, 50);
            onFiles = ZooPredictions.best(predictor, fromFiles, 50);
        }
        double exactTop1 = ZooPredictions.top1(onExact, labels);
        double filesTop1 = ZooPredictions.top1(onFiles, labels);
        System.out.printf(
                Locale.ROOT,
                "zoo resnet18 qat on %d Fashion-MNIST test images: exact pixels"
                        + " top-1 %.2f%%, gray PNG files top-1 %.2f%%%n",
                labels.length,
                100 * exactTop1,
                100 * filesTop1);
        assertArrayEquals(onExact, onFiles, "predictions from PNG files differ from exact pixels");
        assertEquals(exactTop1, filesTop1);
    }
}
