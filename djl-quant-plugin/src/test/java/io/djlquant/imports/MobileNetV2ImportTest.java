package io.djlquant.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.NoopTranslator;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.models.MobileNetV2;
import io.djlquant.models.TorchvisionLayout;
import io.djlquant.nn.FusedConv2d;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantized.QuantizedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torchvision MobileNetV2 (width 0.25, 1-channel stride-1 stem, trained on Fashion-MNIST at 32x32;
 * fixtures/make_mobilenet_fixture.py) imported from TorchScript and from a float16 state dict, then
 * quantized and run on JavaQuant.
 */
class MobileNetV2ImportTest {

    static final String PT = "mobilenet_v2_w025_fmnist.pt";
    static final String PTH = "mobilenet_v2_w025_fmnist.pth";

    /** The PyTorch outputs must be reproduced to this bound (float32 through 53 convolutions). */
    private static final float TOLERANCE = 1e-4f;

    private static final int SIZE = 32;
    private static final int EVAL = 500;
    private static final int EVAL_BATCH = 100;
    private static final int CLASSES = FashionMnist.NUM_CLASSES;

    /** Measured on this host: see the printed line; rounding flips only near-ties. */
    private static final double MIN_AGREEMENT = 0.97;

    /** Allowed accuracy loss of Q against Float, as a fraction of the evaluation images. */
    private static final double MAX_Q_DROP = 0.03;

    private static NDArray run(Block net, NDManager m, NDArray x) {
        return net.forward(new ParameterStore(m, false), new NDList(x), false).head();
    }

    private static float maxDiff(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape());
        return a.sub(b).abs().max().getFloat();
    }

    private static int[] ints(JsonElement array) {
        JsonArray a = array.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    private static Map<String, Shape> shapes(Map<String, Parameter> params) {
        Map<String, Shape> out = new LinkedHashMap<>();
        params.forEach((k, p) -> out.put(k, p.getArray().getShape()));
        return out;
    }

    /** The generator's spec as a builder: width multiplier, classes, stem stride. */
    private static MobileNetV2.Builder generatorSpec(JsonObject spec) {
        return MobileNetV2.builder()
                .optWidthMultiplier(spec.get("width_mult").getAsFloat())
                .optNumClasses(spec.get("classes").getAsInt())
                .optStemStride(spec.get("stem_stride").getAsInt());
    }

    /** The layout read back from the imported network must be the one the generator used. */
    private static void assertLayout(JsonObject spec, SequentialBlock net)
            throws MalformedModelException {
        TorchvisionLayout detected =
                TorchvisionImport.detectLayout(shapes(MobileNetV2.torchvisionParameters(net)));
        MobileNetV2.Builder mnv2 = (MobileNetV2.Builder) detected;
        assertEquals(spec.get("stem_channels").getAsInt(), mnv2.getStemChannels());
        assertArrayEquals(ints(spec.get("block_channels")), mnv2.getBlockChannels());
        assertEquals(spec.get("last_channel").getAsInt(), mnv2.getLastChannel());
        assertEquals(spec.get("classes").getAsInt(), mnv2.getNumClasses());
        assertEquals(spec.get("in_channels").getAsInt(), net.getInputShapes()[0].get(1));
        // the stride is in the blocks, not in the shapes: features.0 is the child after QuantStub
        FusedConv2d stem = (FusedConv2d) net.getChildren().get(1).getValue();
        assertEquals(spec.get("stem_stride").getAsInt(), stem.getStride().get(0));
        // the width multiplier the generator used gives exactly these channels
        MobileNetV2.Builder fromWidth = generatorSpec(spec);
        assertEquals(fromWidth.getStemChannels(), mnv2.getStemChannels());
        assertArrayEquals(fromWidth.getStageChannels(), mnv2.getStageChannels());
        assertEquals(fromWidth.getLastChannel(), mnv2.getLastChannel());
    }

    private static float checkCases(JsonObject spec, Block net, NDManager m) throws IOException {
        float worst = 0;
        for (JsonElement c : spec.getAsJsonArray("cases")) {
            JsonObject o = c.getAsJsonObject();
            NDArray x = Fixtures.npy(m, o.get("input").getAsString());
            NDArray expected = Fixtures.npy(m, o.get("output").getAsString());
            float d = maxDiff(run(net, m, x), expected);
            System.out.printf(
                    "import MobileNetV2 %s input %s: max |ours - PyTorch| = %.3g (logit range"
                            + " %.3g)%n",
                    o.get("output").getAsString(),
                    x.getShape(),
                    d,
                    expected.max().getFloat() - expected.min().getFloat());
            assertTrue(d < TOLERANCE, o.get("output") + ": max abs diff " + d);
            worst = Math.max(worst, d);
        }
        return worst;
    }

    @Test
    void torchScriptReproducesPyTorchAndStemStrideIsFound() throws Exception {
        JsonObject spec = Fixtures.manifest(PT);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net = TorchvisionImport.loadTorchScript(Fixtures.file(PT), m);
            assertLayout(spec, net);
            checkCases(spec, net, m);
            // and agree with libtorch running the same file through DJL
            try (Model model = Model.newInstance("ref", "PyTorch")) {
                model.load(Fixtures.file(PT));
                NDArray x = Fixtures.npy(m, "mobilenet_v2_w025_fmnist_x.npy");
                assertTrue(maxDiff(run(net, m, x), run(model.getBlock(), m, x)) < TOLERANCE);
            }
        }
    }

    @Test
    void halfStateDictReproducesPyTorchWithTheStemStrideGiven() throws Exception {
        JsonObject spec = Fixtures.manifest(PTH);
        assertEquals(
                "HALF",
                TorchArchive.read(Fixtures.file(PTH)).get("classifier.1.weight").getElementType());
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net =
                    TorchvisionImport.loadStateDict(Fixtures.file(PTH), generatorSpec(spec), m);
            assertLayout(spec, net);
            checkCases(spec, net, m);
            // a state dict does not record the stride: detected, it is torchvision's 2 ...
            SequentialBlock detected = TorchvisionImport.loadStateDict(Fixtures.file(PTH), m);
            FusedConv2d stem = (FusedConv2d) detected.getChildren().get(1).getValue();
            assertEquals(2, stem.getStride().get(0));
            // ... with the same tensors, and then the network computes something else
            NDArray x = Fixtures.npy(m, "mobilenet_v2_w025_fmnist_x.npy");
            assertTrue(maxDiff(run(detected, m, x), run(net, m, x)) > 100 * TOLERANCE);
        }
    }

    @Test
    void batchNormStatisticsAreImported() throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> state = TorchvisionImport.readTorchScript(Fixtures.file(PT), m);
            assertTrue(
                    state.get("features.5.conv.1.1.running_var").sub(1).abs().max().getFloat()
                            > 0.1f);
            assertTrue(!state.containsKey("features.0.1.num_batches_tracked"));
            JsonObject spec = Fixtures.manifest(PT);
            SequentialBlock net = TorchvisionImport.build(state, generatorSpec(spec));
            checkCases(spec, net, m);
            for (Map.Entry<String, Parameter> e :
                    MobileNetV2.torchvisionParameters(net).entrySet()) {
                if (e.getKey().endsWith("running_mean")) {
                    e.getValue().getArray().set(new float[(int) e.getValue().getArray().size()]);
                }
            }
            NDArray x = Fixtures.npy(m, "mobilenet_v2_w025_fmnist_x.npy");
            float d = maxDiff(run(net, m, x), Fixtures.npy(m, "mobilenet_v2_w025_fmnist_y.npy"));
            assertTrue(
                    d > 100 * TOLERANCE,
                    "zeroed running means should change the output, diff " + d);
        }
    }

    @Test
    void mismatchesNameTheKeys(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Path pt = Fixtures.file(PT);
            // a wider network than the file's
            MalformedModelException wide =
                    assertThrows(
                            MalformedModelException.class,
                            () ->
                                    TorchvisionImport.loadTorchScript(
                                            pt, MobileNetV2.builder().optNumClasses(10), m));
            assertTrue(
                    wide.getMessage()
                            .contains(
                                    "features.0.0.weight: file (8, 1, 3, 3), network (32, 1, 3,"
                                            + " 3)"),
                    wide.getMessage());
            assertTrue(wide.getMessage().startsWith(pt.toString()), wide.getMessage());
            // a ResNet layout for a MobileNetV2 file lists the MobileNetV2 keys as unexpected
            MalformedModelException resnet =
                    assertThrows(
                            MalformedModelException.class,
                            () ->
                                    TorchvisionImport.loadTorchScript(
                                            pt, io.djlquant.models.ResNet18.builder(), m));
            assertTrue(resnet.getMessage().contains("conv1.weight"), resnet.getMessage());

            Map<String, NDArray> state = TorchvisionImport.readTorchScript(pt, m);
            Map<String, NDArray> missing = new LinkedHashMap<>(state);
            missing.remove("features.5.conv.1.0.weight");
            MalformedModelException e1 =
                    assertThrows(
                            MalformedModelException.class,
                            () -> TorchvisionImport.build(missing, null));
            assertTrue(
                    e1.getMessage().contains("1 missing keys: features.5.conv.1.0.weight"),
                    e1.getMessage());

            Map<String, NDArray> extra = new LinkedHashMap<>(state);
            extra.put("features.19.0.weight", m.zeros(new Shape(4, 1280, 1, 1)));
            MalformedModelException e2 =
                    assertThrows(
                            MalformedModelException.class,
                            () -> TorchvisionImport.build(extra, null));
            assertTrue(
                    e2.getMessage().contains("1 unexpected keys: features.19.0.weight"),
                    e2.getMessage());

            // a hidden width that is not 6x the input: found by the layout check, not by detection
            Map<String, NDArray> hidden = new LinkedHashMap<>(state);
            hidden.put("features.3.conv.0.0.weight", m.zeros(new Shape(40, 8, 1, 1)));
            MalformedModelException e3 =
                    assertThrows(
                            MalformedModelException.class,
                            () -> TorchvisionImport.build(hidden, null));
            assertTrue(
                    e3.getMessage()
                            .contains(
                                    "features.3.conv.0.0.weight: file (40, 8, 1, 1), network (48,"
                                            + " 8, 1, 1)"),
                    e3.getMessage());

            // an empty tensor claiming a huge width is refused before anything is allocated
            Map<String, NDArray> empty = new LinkedHashMap<>(state);
            empty.put("features.0.0.weight", m.zeros(new Shape(1L << 30, 0, 3, 3)));
            MalformedModelException e4 =
                    assertThrows(
                            MalformedModelException.class,
                            () -> TorchvisionImport.build(empty, null));
            assertTrue(e4.getMessage().contains("features.0.0.weight"), e4.getMessage());

            Map<String, NDArray> noClassifier = new LinkedHashMap<>(state);
            noClassifier.remove("classifier.1.weight");
            MalformedModelException e5 =
                    assertThrows(
                            MalformedModelException.class,
                            () -> TorchvisionImport.build(noClassifier, null));
            assertTrue(e5.getMessage().contains("classifier.1.weight"), e5.getMessage());
        }
        // a truncated file
        Path cut = tmp.resolve("cut.pth");
        byte[] all = Files.readAllBytes(Fixtures.file(PTH));
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            assertThrows(
                    MalformedModelException.class, () -> TorchvisionImport.loadStateDict(cut, m));
        }
    }

    /**
     * Import, PTQ with {@code QConfigs.calibration()} on Fashion-MNIST training images, int8, save,
     * reload on JavaQuant; Q against QFloat and the accuracies on 500 test images.
     */
    @Test
    void quantizesAndRunsOnJavaQuant(@TempDir Path dir) throws Exception {
        JsonObject spec = Fixtures.manifest(PT);
        FashionMnist train =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TRAIN)
                        .optImageSize(SIZE, FashionMnist.SizeMode.RESIZE)
                        .optLimit(256)
                        .setSampling(32, true)
                        .build();
        train.prepare();
        FashionMnist test =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TEST)
                        .optImageSize(SIZE, FashionMnist.SizeMode.RESIZE)
                        .optLimit(EVAL)
                        .setSampling(EVAL_BATCH, false)
                        .build();
        test.prepare();
        float[] images = new float[EVAL * SIZE * SIZE];
        int[] labels = new int[EVAL];
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (int i = 0; i < EVAL; i++) {
                float[] x = test.get(m, i).getData().head().toFloatArray();
                System.arraycopy(x, 0, images, i * SIZE * SIZE, SIZE * SIZE);
                labels[i] = test.getLabel(i);
            }
            SequentialBlock net = TorchvisionImport.loadTorchScript(Fixtures.file(PT), m);
            Block qfloat = Quantizer.quantizeQat(net, QConfigs.calibration());
            Quantizer.calibrate(qfloat, train, m, 8);
            Block q = Quantizer.quantize(qfloat);
            QuantizedModels.save(q, dir.resolve("mobilenetv2.jq"), Map.of("classes", "10"));

            float[] fl = forwardAll(net, m, images);
            float[] qf = forwardAll(qfloat, m, images);
            float[] jq;
            try (Model loaded = Model.newInstance("mobilenetv2", "JavaQuant")) {
                loaded.load(dir);
                jq = predictAll(loaded, images);
            }
            int agree = 0;
            int accFloat = 0;
            int accQFloat = 0;
            int accQ = 0;
            for (int i = 0; i < EVAL; i++) {
                int q1 = argmax(jq, i);
                int qf1 = argmax(qf, i);
                agree += q1 == qf1 ? 1 : 0;
                accFloat += argmax(fl, i) == labels[i] ? 1 : 0;
                accQFloat += qf1 == labels[i] ? 1 : 0;
                accQ += q1 == labels[i] ? 1 : 0;
            }
            System.out.printf(
                    "MobileNetV2 w0.25 (imported TorchScript): top-1 on %d Fashion-MNIST test"
                            + " images Float %d, QFloat %d, Q (reloaded, JavaQuant) %d; Q vs QFloat"
                            + " agreement %d/%d%n",
                    EVAL, accFloat, accQFloat, accQ, agree, EVAL);
            double generator = spec.get("fashion_mnist_test_accuracy").getAsDouble();
            assertTrue(
                    accFloat >= (generator - 0.05) * EVAL,
                    "float accuracy " + accFloat + " vs " + generator);
            assertTrue(agree >= MIN_AGREEMENT * EVAL, "Q vs QFloat agreement " + agree);
            assertTrue(accQ >= accFloat - MAX_Q_DROP * EVAL, "Q " + accQ + " vs Float " + accFloat);
        }
    }

    private static float[] forwardAll(Block b, NDManager m, float[] images) {
        float[] out = new float[EVAL * CLASSES];
        for (int i = 0; i < EVAL; i += EVAL_BATCH) {
            try (NDManager scope = m.newSubManager()) {
                NDArray x = scope.create(chunk(images, i), new Shape(EVAL_BATCH, 1, SIZE, SIZE));
                NDArray y =
                        b.forward(new ParameterStore(scope, false), new NDList(x), false).head();
                System.arraycopy(y.toFloatArray(), 0, out, i * CLASSES, EVAL_BATCH * CLASSES);
            }
        }
        return out;
    }

    private static float[] predictAll(Model model, float[] images) throws Exception {
        float[] out = new float[EVAL * CLASSES];
        try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator());
                NDManager jq = Engine.getEngine("JavaQuant").newBaseManager()) {
            for (int i = 0; i < EVAL; i += EVAL_BATCH) {
                try (NDManager scope = jq.newSubManager()) {
                    NDArray x =
                            scope.create(chunk(images, i), new Shape(EVAL_BATCH, 1, SIZE, SIZE));
                    float[] y = p.predict(new NDList(x)).singletonOrThrow().toFloatArray();
                    System.arraycopy(y, 0, out, i * CLASSES, y.length);
                }
            }
        }
        return out;
    }

    private static float[] chunk(float[] images, int first) {
        return Arrays.copyOfRange(images, first * SIZE * SIZE, (first + EVAL_BATCH) * SIZE * SIZE);
    }

    private static int argmax(float[] logits, int row) {
        int best = 0;
        for (int c = 1; c < CLASSES; c++) {
            if (logits[row * CLASSES + c] > logits[row * CLASSES + best]) {
                best = c;
            }
        }
        return best;
    }
}
