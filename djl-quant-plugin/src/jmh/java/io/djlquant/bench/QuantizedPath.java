package io.djlquant.bench;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Batch;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hook to the real int8 model: Float -> QFloat ({@code Quantizer.quantizeQat} with
 * {@code QConfigs.calibration()}), post-training calibration on random images
 * ({@code Quantizer.calibrate}), QFloat -> Q ({@code Quantizer.quantize}, or
 * {@code QuantizedConverter.quantize}) and {@code QuantizedModels.save} for the model size.
 *
 * <p>Bound by reflection so this benchmark compiles and runs (reporting the kernel-only int8 model)
 * on branches where the converters are not merged yet. When they are, this class can call them
 * directly.
 */
final class QuantizedPath {

    private final Method quantizeQat;
    private final Method calibrate;
    private final Method quantize;
    private final Method save;
    private final Object calibrationConfig;

    private QuantizedPath() throws ReflectiveOperationException {
        Class<?> quantizer = Class.forName("io.djlquant.quantization.Quantizer");
        Class<?> qconfig = Class.forName("io.djlquant.quantization.QConfig");
        calibrationConfig = Class.forName("io.djlquant.quantization.QConfigs").getMethod("calibration").invoke(null);
        quantizeQat = quantizer.getMethod("quantizeQat", Block.class, qconfig);
        calibrate = quantizer.getMethod("calibrate", Block.class, Iterable.class, int.class);
        Method q;
        try {
            q = quantizer.getMethod("quantize", Block.class);
        } catch (NoSuchMethodException e) {
            q = Class.forName("io.djlquant.quantized.QuantizedConverter").getMethod("quantize", Block.class);
        }
        quantize = q;
        save = Class.forName("io.djlquant.quantized.QuantizedModels").getMethod("save", Block.class, Path.class,
                Map.class);
    }

    /** The hook, or null with the reason printed when the converters are not on the classpath. */
    static QuantizedPath find() {
        try {
            return new QuantizedPath();
        } catch (ReflectiveOperationException | LinkageError e) {
            System.out.println("int8 Q model: not available on this branch (" + e + "); "
                    + "reporting the kernel-only int8 ResNet18");
            return null;
        }
    }

    /**
     * Quantizes an initialized float ResNet18: QFloat tree, calibration over {@code batches} random
     * batches of {@code batch} images (uniform [-2, 2], about the range of normalized pixels), Q tree.
     */
    Block convert(Block floatNet, NDManager pt, int side, int batches, int batch) {
        Object qat = call(quantizeQat, floatNet, calibrationConfig);
        Random r = new Random(7);
        List<Batch> data = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            float[] x = new float[batch * 3 * side * side];
            for (int j = 0; j < x.length; j++) {
                x[j] = r.nextFloat() * 4f - 2f;
            }
            // Closing a Batch closes its manager: each gets its own sub-manager, never pt itself.
            NDManager bm = pt.newSubManager();
            NDList in = new NDList(bm.create(x, new Shape(batch, 3, side, side)));
            data.add(new Batch(bm, in, new NDList(), batch, null, null, i, batches));
        }
        call(calibrate, qat, data, batches);
        for (Batch b : data) {
            b.close();
        }
        return (Block) call(quantize, qat);
    }

    /** Size of the saved .jq file. */
    long savedBytes(Block q) throws java.io.IOException {
        Path dir = Files.createTempDirectory("resnet-jq");
        Path file = dir.resolve("resnet18.jq");
        try {
            call(save, q, file, Map.of());
            return Files.size(file);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static Object call(Method m, Object... args) {
        try {
            return m.invoke(null, args);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw new IllegalStateException(c);
        }
    }
}
