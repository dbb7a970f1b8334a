package io.djlquant.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.transform.Normalize;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.modality.cv.translator.ImageClassificationTranslator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.TranslateException;
import io.djlquant.kernels.ConvParams;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantized.DequantStub;
import io.djlquant.quantized.FloatFallback;
import io.djlquant.quantized.ForeignArrays;
import io.djlquant.quantized.QuantStub;
import io.djlquant.quantized.QuantizedModels;
import io.djlquant.quantized.fallback.FloatConv;
import io.djlquant.quantized.fallback.FloatOp;
import io.djlquant.quantized.fallback.FloatPool;
import io.djlquant.quantized.fallback.FloatSequence;
import io.djlquant.zoo.FashionMnistTranslatorFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A predictor of an int8 model keeps the batch in JavaQuant arrays from the translator to the
 * logits on every public way to load it: no Q block receives or returns an array of another engine
 * (which would mean a float copy out of PyTorch, a quantization and a copy back per block), for one
 * image and for batches. Runs with and without PyTorch on the class path (see the pom).
 */
class Int8PathTest {

    /** Set by the pom's execution without PyTorch, so that it checks PyTorch really is absent. */
    static final String NO_PYTORCH = "djlquant.it.noPyTorch";

    private static final String JQ =
            "io/djlquant/zoo/repo/model/cv/image_classification/io/djlquant/resnet18/0.1.0/"
                    + "resnet18-qat.jq";

    private static FashionMnistTestImages data;

    @BeforeAll
    static void readImages() throws Exception {
        data = FashionMnistTestImages.read(64);
    }

    @Test
    void pyTorchIsAbsentWhenThisRunSaysSo() {
        boolean absent = Boolean.getBoolean(NO_PYTORCH);
        assertEquals(
                !absent,
                Engine.hasEngine("PyTorch"),
                "PyTorch registered: " + Engine.getAllEngines());
        if (absent) {
            assertThrows(
                    ClassNotFoundException.class,
                    () -> Class.forName("ai.djl.pytorch.engine.PtEngine"));
            assertEquals(null, Engine.getEngine("JavaQuant").getAlternativeEngine());
        }
    }

    @Test
    void zooCriteriaRunsInt8EndToEnd() throws Exception {
        try (ZooModel<Image, Classifications> model =
                        ZooModels.criteria("JavaQuant", "qat").loadModel();
                Predictor<Image, Classifications> p = model.newPredictor()) {
            checkPure(p);
        }
    }

    @Test
    void criteriaWithModelPathRunsInt8EndToEnd(@TempDir Path dir) throws Exception {
        Path file = copyModel(dir);
        Criteria<Image, Classifications> criteria =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optModelPath(file)
                        .optEngine("JavaQuant")
                        .optTranslatorFactory(new FashionMnistTranslatorFactory())
                        .build();
        try (ZooModel<Image, Classifications> model = criteria.loadModel();
                Predictor<Image, Classifications> p = model.newPredictor()) {
            checkPure(p);
        }
    }

    @Test
    void modelLoadRunsInt8EndToEnd(@TempDir Path dir) throws Exception {
        Path file = copyModel(dir);
        try (Model model = Model.newInstance("resnet18-qat", "JavaQuant")) {
            model.load(file);
            var translator =
                    new FashionMnistTranslatorFactory()
                            .newInstance(Image.class, Classifications.class, model, Map.of());
            try (Predictor<Image, Classifications> p = model.newPredictor(translator)) {
                checkPure(p);
            }
        }
    }

    /**
     * An app that already uses DJL brings DJL's own image translator (ToTensor, Normalize, softmax)
     * and an image of the model's input size: it runs int8 end to end (ToTensor and Normalize in
     * Java; with PyTorch absent too) and predicts what the zoo's translator predicts.
     */
    @Test
    void djlImageClassificationTranslatorRunsInt8EndToEnd(@TempDir Path dir) throws Exception {
        float[] mean = {
            0.2860f, 0.2860f, 0.2860f
        }; // FashionMnist.DEFAULT_MEAN / DEFAULT_STD, per channel
        float[] std = {0.3530f, 0.3530f, 0.3530f};
        ImageClassificationTranslator translator =
                ImageClassificationTranslator.builder()
                        .addTransform(new ToTensor())
                        .addTransform(new Normalize(mean, std))
                        .optSynset(ZooModels.CLASS_NAMES)
                        .optApplySoftmax(true)
                        .build();
        Criteria<Image, Classifications> criteria =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optModelPath(copyModel(dir))
                        .optEngine("JavaQuant")
                        .optTranslator(translator)
                        .build();
        List<Image> padded = new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
            padded.add(
                    rgb32(
                            data.pixels,
                            i)); // the 28x28 image centred on black, as the zoo's translator does
        }
        int[] expected;
        try (ZooModel<Image, Classifications> zoo =
                        ZooModels.criteria("JavaQuant", "qat").loadModel();
                Predictor<Image, Classifications> p = zoo.newPredictor()) {
            expected = ZooModels.predict(p, data.images, 8);
        }
        try (ZooModel<Image, Classifications> model = criteria.loadModel();
                Predictor<Image, Classifications> p = model.newPredictor()) {
            long before = ForeignArrays.count();
            int[] single =
                    new int[] {
                        ZooModels.CLASS_NAMES.indexOf(
                                p.predict(padded.get(0)).best().getClassName())
                    };
            int[] batched = ZooModels.predict(p, padded, 8);
            assertEquals(
                    0,
                    ForeignArrays.count() - before,
                    "Q blocks received or returned arrays of another engine under DJL's image"
                            + " translator");
            assertEquals(batched[0], single[0]);
            int same = 0;
            for (int i = 0; i < batched.length; i++) {
                same += batched[i] == expected[i] ? 1 : 0;
            }
            // the same arithmetic up to float rounding of the normalisation: at most one image may
            // differ
            assertTrue(
                    same >= batched.length - 1,
                    same + " of " + batched.length + " as the zoo's translator");
            assertTrue(ZooModels.top1(batched, java.util.Arrays.copyOf(data.labels, 64)) > 0.7);
        }
    }

    /* Test image i as a 32x32 RGB image: gray pixels centred with a 2-pixel black border. */
    private static Image rgb32(byte[] pixels, int i) {
        int[] argb = new int[32 * 32];
        java.util.Arrays.fill(argb, 0xFF000000);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = pixels[i * 784 + y * 28 + x] & 0xFF;
                argb[(y + 2) * 32 + x + 2] = 0xFF000000 | v << 16 | v << 8 | v;
            }
        }
        return ai.djl.modality.cv.ImageFactory.getInstance().fromPixels(argb, 32, 32);
    }

    /**
     * A layer kept in float (a 1x1 conv, weight 2 and bias 0.5, then a 2x2 average pool) inside an
     * int8 model: saved, loaded and run on JavaQuant alone; its float part is computed in Java.
     */
    @Test
    void aLayerKeptInFloatRunsAndLoadsWithoutPyTorch(@TempDir Path dir) throws Exception {
        QParams in = QParams.perTensor(QDType.QUINT8, 0.01f, 0);
        QParams out = QParams.perTensor(QDType.QUINT8, 0.02f, 10);
        FloatOp op =
                new FloatSequence(
                        List.of(
                                new FloatConv(
                                        new float[] {2f},
                                        new Shape(1, 1, 1, 1),
                                        new float[] {0.5f},
                                        ConvParams.of(1, 0, 1),
                                        1,
                                        false),
                                new FloatPool(FloatPool.Kind.AVG, 2, 2, 2, 2, 0, 0, true)));
        SequentialBlock q =
                new SequentialBlock()
                        .add(new QuantStub(in))
                        .add(new FloatFallback(op, new QParams[] {in}, out))
                        .add(new DequantStub(out));
        Path file = dir.resolve("mixed.jq");
        QuantizedModels.save(q, file, Map.of());
        float[] x = {0.10f, 0.20f, 0.30f, 0.40f};
        try (Model model = Model.newInstance("mixed", "JavaQuant")) {
            model.load(dir);
            NDManager m = model.getNDManager();
            NDArray y =
                    model.getBlock()
                            .forward(
                                    new ParameterStore(m, false),
                                    new NDList(m.create(x, new Shape(1, 1, 2, 2))),
                                    false)
                            .singletonOrThrow();
            // mean(2x + 0.5) = 1.0 exactly on the output grid (q = 60)
            assertArrayEquals(new float[] {1.0f}, y.toFloatArray(), 1e-6f);
            assertEquals("JavaQuant", y.getManager().getEngine().getEngineName());
        }
    }

    @Test
    void batchesGiveTheSameProbabilitiesAsSingleImages() throws Exception {
        try (ZooModel<Image, Classifications> model =
                        ZooModels.criteria("JavaQuant", "qat").loadModel();
                Predictor<Image, Classifications> p = model.newPredictor()) {
            List<Image> images = data.images.subList(0, 8);
            List<List<Double>> single = ZooModels.probabilities(p, images);
            List<Classifications> batch = p.batchPredict(images);
            for (int i = 0; i < images.size(); i++) {
                double[] expected =
                        single.get(i).stream().mapToDouble(Double::doubleValue).toArray();
                double[] actual = new double[expected.length];
                for (int c = 0; c < actual.length; c++) {
                    actual[c] = batch.get(i).get(ZooModels.CLASS_NAMES.get(c)).getProbability();
                }
                // integer kernels: bit-identical whatever the batch
                assertArrayEquals(expected, actual, 0.0, "image " + i);
            }
        }
    }

    @Test
    void anOperationJavaQuantLacksRunsOnPyTorchOrIsNamed() {
        try (NDManager m = NDManager.newBaseManager("JavaQuant")) {
            NDArray a = m.create(new float[] {1f, -2f, 3f});
            if (!Boolean.getBoolean(NO_PYTORCH)) {
                assertArrayEquals(new float[] {1f, 2f, 3f}, a.abs().toFloatArray());
                return;
            }
            UnsupportedOperationException e =
                    assertThrows(UnsupportedOperationException.class, a::abs);
            assertTrue(e.getMessage().contains("NDArray.abs"), e.getMessage());
            assertTrue(e.getMessage().contains("pytorch-engine"), e.getMessage());
        }
    }

    /* Batch 1, 8 and 64 through predict and batchPredict: no foreign array at any Q block. */
    private static void checkPure(Predictor<Image, Classifications> p) throws TranslateException {
        long before = ForeignArrays.count();
        Classifications one = p.predict(data.images.get(0));
        assertEquals(10, one.getProbabilities().size());
        assertEquals(
                0,
                ForeignArrays.count() - before,
                "Q blocks received or returned arrays of another engine under predict()");
        for (int batch : new int[] {8, 64}) {
            before = ForeignArrays.count();
            int[] predicted = ZooModels.predict(p, data.images.subList(0, batch), batch);
            assertEquals(
                    0,
                    ForeignArrays.count() - before,
                    "Q blocks received or returned arrays of another engine in a batch of "
                            + batch);
            int[] labels = java.util.Arrays.copyOf(data.labels, batch);
            assertTrue(
                    ZooModels.top1(predicted, labels) > 0.7,
                    "batch " + batch + " top-1 " + ZooModels.top1(predicted, labels));
        }
    }

    private static Path copyModel(Path dir) throws Exception {
        Path file = dir.resolve("resnet18-qat.jq");
        try (InputStream in = Int8PathTest.class.getClassLoader().getResourceAsStream(JQ)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }
}
