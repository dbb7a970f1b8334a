package io.djlquant.quantized;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.translate.NoopTranslator;
import io.djlquant.kernels.C2Code;
import io.djlquant.kernels.Int8Kernels;
import io.djlquant.kernels.SimdWarmUp;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Cross-architecture check of a whole quantized network (used by {@code .ci/arm64-check}), the way
 * a model reaches a device: quantized on a workstation, shipped as a {@code .jq} file, run by the
 * JavaQuant engine.
 *
 * <p>{@code write} (reference machine, needs PyTorch): builds the {@link SmallCnn} residual network
 * with seeded weights, calibrates it, converts it with {@link Quantizer#quantize}, saves {@code
 * DIR/model/cnn.jq}, fixed input images {@code DIR/inputs.bin} and its JavaQuant logits {@code
 * DIR/logits.bin}. {@code check} (machine under test, no PyTorch): loads the file with the
 * JavaQuant engine, predicts the same images and requires bit-identical logits, once cold and, with
 * a JIT log, once more after C2 has compiled the SIMD kernels. Run by {@link CrossArchCheck}.
 */
public final class CrossArchModel {

    private static final int IMAGES = 64;
    private static final int BATCH = 16;
    private static final int PIXELS = SmallCnn.SIDE * SmallCnn.SIDE;

    private CrossArchModel() {}

    /**
     * Runs the model check and prints its findings.
     *
     * @param mode {@code write} (reference machine, needs PyTorch) or {@code check}
     * @param dir directory of the model, inputs and reference logits
     * @param jitLog this JVM's {@code -Xlog:jit+compilation=debug:file=...} log, or null for no hot
     *     pass
     * @return true when the logits matched (check) or the reference is usable (write)
     */
    public static boolean run(String mode, Path dir, Path jitLog) throws Exception {
        long start = System.nanoTime();
        Path modelDir = dir.resolve("model");
        Path inputs = dir.resolve("inputs.bin");
        Path logits = dir.resolve("logits.bin");
        boolean ok =
                mode.equals("write")
                        ? write(modelDir, inputs, logits)
                        : check(modelDir, inputs, logits, jitLog);
        System.out.printf(
                "model %s: SmallCnn, %d images, kernels %s, %.1f s%n",
                mode, IMAGES, Int8Kernels.implementationName(), (System.nanoTime() - start) / 1e9);
        if (!ok) {
            System.out.println(
                    "FAIL: model "
                            + (mode.equals("write")
                                    ? "reference is degenerate"
                                    : "outputs differ"));
        } else {
            System.out.println(
                    mode.equals("write")
                            ? "OK: reference model, inputs and logits written to " + dir
                            : "OK: model outputs identical to " + logits);
        }
        return ok;
    }

    private static boolean write(Path modelDir, Path inputs, Path logits) throws Exception {
        float[][] protos = SmallCnn.prototypes(42);
        float[] images = SmallCnn.images(protos, IMAGES, 7, new float[IMAGES]);
        Engine.getEngine("PyTorch").setRandomSeed(1234);
        Block q;
        try (Model model = Model.newInstance("cnn", "PyTorch")) {
            Block qat = Quantizer.quantizeQat(SmallCnn.build(), QConfigs.emaFakeQuantPerChannel());
            model.setBlock(qat);
            NDManager pt = model.getNDManager();
            qat.initialize(pt, DataType.FLOAT32, new Shape(BATCH, 1, SmallCnn.SIDE, SmallCnn.SIDE));
            // Calibration only (untrained seeded weights): observers on, fake quant off.
            Quantizer.enableObserver(qat, true);
            Quantizer.enableFakeQuant(qat, false);
            for (int i = 0; i < 4; i++) {
                float[] x = SmallCnn.images(protos, 32, 5000 + i, new float[32]);
                try (NDManager scope = pt.newSubManager()) {
                    QTests.run(
                            qat,
                            scope,
                            scope.create(x, new Shape(32, 1, SmallCnn.SIDE, SmallCnn.SIDE)));
                }
            }
            Quantizer.enableObserver(qat, false);
            Quantizer.enableFakeQuant(qat, true);
            q = Quantizer.quantize(qat);
        }
        Files.createDirectories(modelDir);
        QuantizedModels.save(q, modelDir.resolve("cnn.jq"), Map.of("classes", "10"));
        SmallCnnTest.writeFloats(inputs, images);
        float[] out = predict(modelDir, images);
        // A degenerate network (constant logits) would make the comparison meaningless.
        Set<Float> distinct = new HashSet<>();
        for (float v : out) {
            distinct.add(v);
        }
        System.out.println(
                "reference logits: "
                        + distinct.size()
                        + " distinct values, first image "
                        + Arrays.toString(Arrays.copyOf(out, SmallCnn.CLASSES)));
        SmallCnnTest.writeFloats(logits, out);
        return distinct.size() > 20;
    }

    private static boolean check(Path modelDir, Path inputs, Path logits, Path jitLog)
            throws Exception {
        if (!Files.isRegularFile(logits) || !Files.isRegularFile(inputs)) {
            System.out.println(
                    logits
                            + " or "
                            + inputs
                            + " missing: run 'write' on the reference machine first");
            return false;
        }
        float[] images = SmallCnnTest.readFloats(inputs);
        float[] expected = SmallCnnTest.readFloats(logits);
        boolean ok = compare("cold pass", predict(modelDir, images), expected);
        if (jitLog != null) {
            C2Code c2 = new C2Code(jitLog);
            for (int attempt = 1; ; attempt++) {
                // C2 compiling SVE code under QEMU took over 300 s once when the machine was
                // loaded;
                // the per-JVM limit in .ci/arm64-check (ARM64_TIMEOUT, 1200 s) still bounds the
                // wait.
                double warm = SimdWarmUp.untilCompiled(c2, 900);
                String before = c2.simdIds();
                float[] hot = predict(modelDir, images);
                if (before.equals(c2.simdIds())) {
                    System.out.printf(
                            "hot pass with C2-compiled SIMD kernels (%s) after %.1f s warm-up%n",
                            before, warm);
                    ok &= compare("hot pass", hot, expected);
                    break;
                }
                if (attempt == 3) {
                    System.out.println(
                            "hot pass: C2 code kept being discarded; the hot pass never ran"
                                    + " compiled");
                    return false;
                }
            }
        }
        return ok;
    }

    /** Loads the saved model with the JavaQuant engine and predicts all images in batches. */
    private static float[] predict(Path modelDir, float[] images) throws Exception {
        int n = images.length / PIXELS;
        float[] out = new float[n * SmallCnn.CLASSES];
        try (Model model = Model.newInstance("cnn", "JavaQuant");
                NDManager jq = Engine.getEngine("JavaQuant").newBaseManager()) {
            model.load(modelDir);
            try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator())) {
                for (int i = 0; i < n; i += BATCH) {
                    int b = Math.min(BATCH, n - i);
                    float[] chunk = Arrays.copyOfRange(images, i * PIXELS, (i + b) * PIXELS);
                    NDArray x = jq.create(chunk, new Shape(b, 1, SmallCnn.SIDE, SmallCnn.SIDE));
                    float[] y = p.predict(new NDList(x)).singletonOrThrow().toFloatArray();
                    System.arraycopy(y, 0, out, i * SmallCnn.CLASSES, y.length);
                }
            }
        }
        return out;
    }

    private static boolean compare(String pass, float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            System.out.println(
                    pass + ": " + actual.length + " logits, reference has " + expected.length);
            return false;
        }
        int differ = 0;
        int first = -1;
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                differ++;
                first = first < 0 ? i : first;
            }
        }
        if (differ == 0) {
            System.out.println(
                    pass + ": all " + actual.length + " logits bit-identical to the reference");
            return true;
        }
        System.out.printf(
                "%s: %d of %d logits differ; first at image %d class %d: %s vs reference %s%n",
                pass,
                differ,
                actual.length,
                first / SmallCnn.CLASSES,
                first % SmallCnn.CLASSES,
                actual[first],
                expected[first]);
        return false;
    }
}
