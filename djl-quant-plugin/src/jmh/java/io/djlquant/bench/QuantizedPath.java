package io.djlquant.bench;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.dataset.Batch;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import io.djlquant.quantized.QuantizedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The int8 model the benchmark times: Float -> QFloat ({@code Quantizer.quantizeQat} with {@code
 * QConfigs.calibration()}), post-training calibration on random images ({@code
 * Quantizer.calibrate}), QFloat -> Q ({@code Quantizer.quantize}); the model size is that of the
 * file {@code QuantizedModels.save} writes.
 */
final class QuantizedPath {

    private QuantizedPath() {}

    /**
     * Quantizes an initialized float ResNet18: QFloat tree, calibration over {@code batches} random
     * batches of {@code batch} images (uniform [-2, 2], about the range of normalized pixels), Q
     * tree.
     */
    static Block convert(Block floatNet, NDManager pt, int side, int batches, int batch) {
        Block qat = Quantizer.quantizeQat(floatNet, QConfigs.calibration());
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
        Quantizer.calibrate(qat, data, batches);
        for (Batch b : data) {
            b.close();
        }
        return Quantizer.quantize(qat);
    }

    /** Size of the saved .jq file. */
    static long savedBytes(Block q) throws IOException {
        Path dir = Files.createTempDirectory("resnet-jq");
        Path file = dir.resolve("resnet18.jq");
        try {
            QuantizedModels.save(q, file, Map.of());
            return Files.size(file);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
