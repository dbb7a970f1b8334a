package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.NoopTranslator;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.QuantizedConverter;
import io.djlquant.quantization.convert.Quantizer;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The small residual CNN end to end: QAT training for a few steps, calibration, int8 conversion; Q
 * vs QFloat agreement, save/load through the JavaQuant engine, drop-in use on PyTorch arrays, and
 * scalar vs SIMD kernels in child JVMs.
 */
class SmallCnnTest {

    private static final int EVAL = 500;
    private static final int BATCH = 100;
    private static final Shape ONE = new Shape(1, 1, SmallCnn.SIDE, SmallCnn.SIDE);

    @Test
    void trainCalibrateConvertAndCompare(@TempDir Path dir) throws Exception {
        float[][] protos = SmallCnn.prototypes(42);
        float[] evalLabels = new float[EVAL];
        float[] eval = SmallCnn.images(protos, EVAL, 7, evalLabels);
        Engine.getEngine("PyTorch").setRandomSeed(1234);
        try (Model model = Model.newInstance("cnn", "PyTorch")) {
            Block qat = Quantizer.quantizeQat(SmallCnn.build(), QConfigs.emaFakeQuantPerChannel());
            model.setBlock(qat);
            train(model, protos);
            NDManager pt = model.getNDManager();
            calibrateOnImages(qat, pt, protos);

            Block q = QuantizedConverter.quantize(qat);
            float step = ((DequantStub) last(q)).getInputQParams().scale(0);

            float[] qfloat = forwardAll(qat, pt, eval);
            float[] onJq;
            try (NDManager jq = QTests.jq()) {
                onJq = forwardAll(q, jq, eval);
            }
            java.util.Set<Integer> predicted = new java.util.HashSet<>();
            int agree = 0;
            int correct = 0;
            double maxSteps = 0;
            for (int i = 0; i < EVAL; i++) {
                int a = argmax(qfloat, i);
                int b = argmax(onJq, i);
                agree += a == b ? 1 : 0;
                predicted.add(b);
                correct += b == (int) evalLabels[i] ? 1 : 0;
                for (int c = 0; c < SmallCnn.CLASSES; c++) {
                    int k = i * SmallCnn.CLASSES + c;
                    maxSteps = Math.max(maxSteps, Math.abs(qfloat[k] - onJq[k]) / step);
                }
            }
            double agreement = agree / (double) EVAL;
            System.out.printf(
                    "SmallCnn: Q vs QFloat top-1 agreement %d/%d = %.4f, max logit diff %.3f steps"
                            + " (step %.5f), Q accuracy %d/%d%n",
                    agree, EVAL, agreement, maxSteps, step, correct, EVAL);
            assertTrue(agreement >= 0.999, "agreement " + agreement);
            // one-step differences inside the network may add up at the logits, but stay small
            assertTrue(maxSteps <= 8, "max logit difference " + maxSteps + " steps");
            // chance is 10%: twice that shows the trained weights matter
            assertTrue(
                    correct > EVAL / 5,
                    "the trained model must have learned something: " + correct);
            // a constant model would agree trivially
            assertTrue(predicted.size() >= 5, "predicted classes: " + predicted);

            // drop-in: the same Q block on PyTorch arrays gives the same values
            // (the first 200 images: enough to show bit equality, cheaper on a busy machine)
            float[] some = java.util.Arrays.copyOf(eval, 2 * BATCH * 784);
            float[] someJq = java.util.Arrays.copyOf(onJq, 2 * BATCH * SmallCnn.CLASSES);
            float[] onPt;
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                onPt = forwardAll(q, m, some);
            }
            assertArrayEquals(someJq, onPt);

            // save -> load with the JavaQuant engine -> predictor: bit-identical
            Path modelDir = dir.resolve("model");
            QuantizedModels.save(q, modelDir.resolve("cnn.jq"), Map.of("classes", "10"));
            float[] loaded;
            try (Model jqModel = Model.newInstance("cnn", "JavaQuant")) {
                jqModel.load(modelDir);
                assertEquals(
                        QuantizedEngineTest.describe(q),
                        QuantizedEngineTest.describe(jqModel.getBlock()));
                loaded = predictAll(jqModel, some);
            }
            assertArrayEquals(someJq, loaded, "the reloaded model must be bit-identical");

            // scalar vs SIMD kernels, each in its own JVM
            Path in = dir.resolve("inputs.bin");
            // 100 images are enough to compare the kernels (the scalar ones are slow)
            float[] few = java.util.Arrays.copyOf(eval, BATCH * 784);
            writeFloats(in, few);
            float[] scalar = runChild(modelDir, in, dir.resolve("scalar.bin"), "scalar");
            float[] simd = runChild(modelDir, in, dir.resolve("simd.bin"), "simd");
            assertArrayEquals(scalar, simd, "scalar and SIMD kernels must agree bit for bit");
            assertArrayEquals(java.util.Arrays.copyOf(onJq, BATCH * SmallCnn.CLASSES), simd);
        }
    }

    private static void train(Model model, float[][] protos) {
        DefaultTrainingConfig cfg =
                new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                        .optOptimizer(
                                Optimizer.adam()
                                        .optLearningRateTracker(Tracker.fixed(0.01f))
                                        .build());
        try (Trainer trainer = model.newTrainer(cfg)) {
            trainer.initialize(new Shape(32, 1, SmallCnn.SIDE, SmallCnn.SIDE));
            for (int stepIdx = 0; stepIdx < 20; stepIdx++) {
                float[] labels = new float[32];
                float[] x = SmallCnn.images(protos, 32, 1000 + stepIdx, labels);
                try (NDManager scope = model.getNDManager().newSubManager();
                        GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray xs = scope.create(x, new Shape(32, 1, SmallCnn.SIDE, SmallCnn.SIDE));
                    NDArray ys = scope.create(labels);
                    NDArray pred = trainer.forward(new NDList(xs)).singletonOrThrow();
                    NDArray loss = trainer.getLoss().evaluate(new NDList(ys), new NDList(pred));
                    gc.backward(loss);
                }
                trainer.step();
            }
        }
    }

    /** Post-training calibration on in-distribution images (observers on, fake quant off). */
    private static void calibrateOnImages(Block qat, NDManager pt, float[][] protos) {
        Quantizer.enableObserver(qat, true);
        Quantizer.enableFakeQuant(qat, false);
        for (int i = 0; i < 4; i++) {
            float[] labels = new float[64];
            float[] x = SmallCnn.images(protos, 64, 5000 + i, labels);
            try (NDManager scope = pt.newSubManager()) {
                QTests.run(
                        qat,
                        scope,
                        scope.create(x, new Shape(64, 1, SmallCnn.SIDE, SmallCnn.SIDE)));
            }
        }
        Quantizer.enableObserver(qat, false);
        Quantizer.enableFakeQuant(qat, true);
    }

    private static float[] forwardAll(Block b, NDManager m, float[] images) {
        int n = images.length / 784;
        float[] out = new float[n * SmallCnn.CLASSES];
        for (int i = 0; i < n; i += BATCH) {
            try (NDManager scope = m.newSubManager()) {
                float[] chunk = java.util.Arrays.copyOfRange(images, i * 784, (i + BATCH) * 784);
                NDArray x = scope.create(chunk, new Shape(BATCH, 1, SmallCnn.SIDE, SmallCnn.SIDE));
                float[] y = QTests.run(b, scope, x).toFloatArray();
                System.arraycopy(y, 0, out, i * SmallCnn.CLASSES, y.length);
            }
        }
        return out;
    }

    static float[] predictAll(Model model, float[] images) throws Exception {
        float[] out = new float[images.length / 784 * SmallCnn.CLASSES];
        try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator());
                NDManager jq = QTests.jq()) {
            for (int i = 0; i < images.length / 784; i += BATCH) {
                float[] chunk = java.util.Arrays.copyOfRange(images, i * 784, (i + BATCH) * 784);
                NDArray x = jq.create(chunk, new Shape(BATCH, 1, SmallCnn.SIDE, SmallCnn.SIDE));
                float[] y = p.predict(new NDList(x)).singletonOrThrow().toFloatArray();
                System.arraycopy(y, 0, out, i * SmallCnn.CLASSES, y.length);
            }
        }
        return out;
    }

    private static int argmax(float[] logits, int row) {
        int best = 0;
        for (int c = 1; c < SmallCnn.CLASSES; c++) {
            if (logits[row * SmallCnn.CLASSES + c] > logits[row * SmallCnn.CLASSES + best]) {
                best = c;
            }
        }
        return best;
    }

    private static Block last(Block seq) {
        List<?> children = ((SequentialBlock) seq).getChildren().values();
        return (Block) children.get(children.size() - 1);
    }

    static void writeFloats(Path file, float[] v) throws Exception {
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.asFloatBuffer().put(v);
        Files.write(file, bb.array());
    }

    static float[] readFloats(Path file) throws Exception {
        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bb.remaining() / 4];
        bb.asFloatBuffer().get(v);
        return v;
    }

    private static float[] runChild(Path modelDir, Path in, Path out, String impl)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Ddjlquant.kernels=" + impl);
        cmd.add("-cp");
        cmd.add(
                System.getProperty("java.class.path")
                        + File.pathSeparator
                        + new File("target/test-classes").getAbsolutePath());
        cmd.add(KernelProbe.class.getName());
        cmd.add(modelDir.toString());
        cmd.add(in.toString());
        cmd.add(out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("IMPL=" + impl), log);
        return readFloats(out);
    }
}
