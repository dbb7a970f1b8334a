package io.djlquant.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.util.NDImageUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.Record;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tests on the real files of the Debian package dataset-fashion-mnist. */
class FashionMnistTest {

    private static final Path DIR = FashionMnist.DEFAULT_DIRECTORY;
    private static NDManager manager;
    private static FashionMnist train;
    private static FashionMnist test;
    // Independently decoded with plain JDK streams, to check the dataset against.
    private static RawIdx rawTrain;

    @BeforeAll
    static void load() throws IOException {
        assertTrue(
                Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz")),
                "the Debian package dataset-fashion-mnist must be installed for these tests");
        manager = NDManager.newBaseManager("PyTorch");
        train = FashionMnist.builder().setSampling(32, false).build();
        train.prepare(null);
        test = FashionMnist.builder().optUsage(Dataset.Usage.TEST).setSampling(32, false).build();
        test.prepare(null);
        rawTrain = RawIdx.read(DIR, "train");
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void sizesMatchTheFileHeaders() throws IOException {
        assertEquals(rawTrain.count, train.size());
        assertEquals(60000, train.size());
        RawIdx rawTest = RawIdx.read(DIR, "t10k");
        assertEquals(rawTest.count, test.size());
        assertEquals(10000, test.size());
    }

    @Test
    void labelsMatchTheRawBytes() {
        // The first training item of Fashion-MNIST is an ankle boot (class 9).
        assertEquals(9, rawTrain.labels[0]);
        assertEquals(rawTrain.labels[0], train.getLabel(0));
        assertEquals("Ankle boot", FashionMnist.classNames().get(train.getLabel(0)));
        for (int i : new int[] {1, 2, 3, 12345, 59999}) {
            assertEquals(rawTrain.labels[i], train.getLabel(i), "label " + i);
        }
        Record r = train.get(manager, 0);
        NDArray label = r.getLabels().singletonOrThrow();
        assertEquals(DataType.FLOAT32, label.getDataType());
        assertEquals(new Shape(), label.getShape());
        assertEquals(9f, label.getFloat());
    }

    @Test
    void defaultMeanAndStdAreThoseOfTheTrainingPixels() {
        long sum = 0;
        long sumSq = 0;
        for (byte b : rawTrain.pixels) {
            int v = b & 0xFF;
            sum += v;
            sumSq += (long) v * v;
        }
        double n = rawTrain.pixels.length;
        double mean = sum / n / 255;
        double std = Math.sqrt(sumSq / n / (255.0 * 255) - mean * mean);
        assertEquals(mean, FashionMnist.DEFAULT_MEAN, 5e-5);
        assertEquals(std, FashionMnist.DEFAULT_STD, 5e-5);
    }

    @Test
    void classNamesAreTheTenFashionMnistClasses() {
        assertEquals(10, FashionMnist.classNames().size());
        assertEquals("T-shirt/top", FashionMnist.classNames().get(0));
        assertEquals("Sneaker", FashionMnist.classNames().get(7));
    }

    @Test
    void shapesFor28And32And3Channels() throws IOException {
        assertEquals(new Shape(1, 28, 28), image(train, 0).getShape());
        FashionMnist padded = prepared(FashionMnist.builder().optImageSize(32).optLimit(10));
        assertEquals(new Shape(1, 32, 32), image(padded, 0).getShape());
        FashionMnist rgb =
                prepared(FashionMnist.builder().optImageSize(32).optChannels(3).optLimit(10));
        NDArray img = image(rgb, 0);
        assertEquals(new Shape(3, 32, 32), img.getShape());
        assertEquals(DataType.FLOAT32, img.getDataType());
        assertEquals(img.get(0), img.get(1));
        assertEquals(img.get(0), img.get(2));
        assertEquals(new Shape(3, 32, 32), rgb.getImageShape());
    }

    @Test
    void normalisationOfAKnownPixel() throws IOException {
        // Pixel 417 (row 14, col 25) of training image 0 is bright; compute its value ourselves.
        int raw = rawTrain.pixel(0, 14, 25);
        assertTrue(raw > 0, "expected a non-background pixel");
        float expected = (raw / 255f - 0.2860f) / 0.3530f;
        assertEquals(expected, image(train, 0).getFloat(0, 14, 25), 1e-6f);

        FashionMnist padded = prepared(FashionMnist.builder().optImageSize(32).optLimit(1));
        NDArray p = image(padded, 0);
        assertEquals(expected, p.getFloat(0, 14 + 2, 25 + 2), 1e-6f);
        float background = (0f - 0.2860f) / 0.3530f;
        assertEquals(background, p.getFloat(0, 0, 0), 1e-6f);
        assertEquals(background, p.getFloat(0, 31, 31), 1e-6f);

        FashionMnist plain = prepared(FashionMnist.builder().optNormalize(0f, 1f).optLimit(1));
        assertEquals(raw / 255f, image(plain, 0).getFloat(0, 14, 25), 1e-6f);
    }

    @Test
    void wholeImageMatchesRawBytes() throws IOException {
        FashionMnist plain = prepared(FashionMnist.builder().optNormalize(0f, 1f).optLimit(600));
        int idx = 555;
        float[] got = image(plain, idx).toFloatArray();
        for (int p = 0; p < 784; p++) {
            assertEquals(rawTrain.pixel(idx, p / 28, p % 28) / 255f, got[p], 1e-6f);
        }
    }

    @Test
    void resizeMatchesPyTorchBilinear() throws IOException {
        FashionMnist resized =
                prepared(
                        FashionMnist.builder()
                                .optImageSize(40, FashionMnist.SizeMode.RESIZE)
                                .optNormalize(0f, 1f)
                                .optLimit(3));
        NDArray ours = image(resized, 2);
        assertEquals(new Shape(1, 40, 40), ours.getShape());
        float[] src = new float[784];
        for (int p = 0; p < 784; p++) {
            src[p] = rawTrain.pixel(2, p / 28, p % 28) / 255f;
        }
        // NDImageUtils works on HWC; PyTorch's bilinear interpolation is the reference.
        NDArray hwc = manager.create(src, new Shape(28, 28, 1));
        NDArray ref =
                NDImageUtils.resize(hwc, 40, 40, Image.Interpolation.BILINEAR).transpose(2, 0, 1);
        float maxDiff = ours.sub(ref).abs().max().getFloat();
        assertTrue(maxDiff < 1e-4f, "max difference to PyTorch bilinear: " + maxDiff);

        FashionMnist same =
                prepared(
                        FashionMnist.builder()
                                .optImageSize(28, FashionMnist.SizeMode.RESIZE)
                                .optLimit(3));
        assertArrayEquals(image(train, 2).toFloatArray(), image(same, 2).toFloatArray(), 1e-6f);
    }

    @Test
    void limitAndIndexChecks() throws IOException {
        FashionMnist small = prepared(FashionMnist.builder().optLimit(100));
        assertEquals(100, small.size());
        assertThrows(IndexOutOfBoundsException.class, () -> small.get(manager, 100));
        assertThrows(IndexOutOfBoundsException.class, () -> small.get(manager, -1));
        FashionMnist unprepared = FashionMnist.builder().setSampling(4, false).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, unprepared::size);
        assertTrue(e.getMessage().contains("prepare"), e.getMessage());
    }

    @Test
    void batchesThroughDjlIteration() throws Exception {
        FashionMnist ds =
                FashionMnist.builder()
                        .optImageSize(32)
                        .optChannels(3)
                        .optLimit(20)
                        .setSampling(8, false)
                        .build();
        int batches = 0;
        long items = 0;
        for (Batch b : ds.getData(manager)) {
            try (b) {
                NDArray x = b.getData().singletonOrThrow();
                NDArray y = b.getLabels().singletonOrThrow();
                assertEquals(3, x.getShape().get(1));
                assertEquals(32, x.getShape().get(3));
                assertEquals(x.getShape().get(0), y.getShape().get(0));
                if (batches == 0) {
                    assertEquals(rawTrain.labels[0], y.getFloat(0));
                    assertEquals(rawTrain.labels[7], y.getFloat(7));
                }
                items += x.getShape().get(0);
                batches++;
            }
        }
        assertEquals(3, batches);
        assertEquals(20, items);
    }

    @Test
    void builderRejectsBadOptions() {
        assertThrows(
                IllegalArgumentException.class,
                () -> FashionMnist.builder().optImageSize(20).setSampling(1, false).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> FashionMnist.builder().optChannels(2).setSampling(1, false).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> FashionMnist.builder().optNormalize(0.5f, 0f).setSampling(1, false).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> FashionMnist.builder().optUsage(Dataset.Usage.VALIDATION));
        assertThrows(IllegalStateException.class, () -> FashionMnist.builder().build());
    }

    private static FashionMnist prepared(FashionMnist.Builder b) throws IOException {
        FashionMnist ds = b.setSampling(8, false).build();
        ds.prepare(null);
        return ds;
    }

    private static NDArray image(FashionMnist ds, int index) {
        return ds.get(manager, index).getData().singletonOrThrow();
    }

    /** Minimal IDX decoding written independently of the production reader. */
    private static final class RawIdx {
        int count;
        byte[] pixels;
        int[] labels;

        static RawIdx read(Path dir, String prefix) throws IOException {
            RawIdx r = new RawIdx();
            try (DataInputStream in = gz(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
                assertEquals(2051, in.readInt());
                r.count = in.readInt();
                assertEquals(28, in.readInt());
                assertEquals(28, in.readInt());
                r.pixels = in.readNBytes(r.count * 784);
            }
            try (DataInputStream in = gz(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
                assertEquals(2049, in.readInt());
                assertEquals(r.count, in.readInt());
                byte[] b = in.readNBytes(r.count);
                r.labels = new int[b.length];
                for (int i = 0; i < b.length; i++) {
                    r.labels[i] = b[i] & 0xFF;
                }
            }
            return r;
        }

        int pixel(int image, int row, int col) {
            return pixels[image * 784 + row * 28 + col] & 0xFF;
        }

        private static DataInputStream gz(Path p) throws IOException {
            InputStream in = Files.newInputStream(p);
            return new DataInputStream(new GZIPInputStream(in));
        }
    }
}
