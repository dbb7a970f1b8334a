package io.djlquant.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Short, always-on form of the soak run (SoakRun): after many predictions the arrays held under the
 * model's manager (recursively, through the predictor's and every per-call manager) are back to
 * what they were after the first prediction, on JavaQuant and on PyTorch.
 */
class ManagedArraysTest {

    private static final int PREDICTIONS = 150;

    @Test
    void int8ModelOnJavaQuant() throws Exception {
        check("ptq");
    }

    @Test
    void floatModelOnPyTorch() throws Exception {
        check("none");
    }

    private static void check(String quantization) throws Exception {
        List<Image> images = FashionMnistTestImages.read(30).images;
        try (ZooModel<Image, Classifications> model = ZooModels.load(quantization)) {
            NDManager manager = model.getNDManager();
            int beforePredictor = manager.getManagedArrays().size();
            try (Predictor<Image, Classifications> p = model.newPredictor()) {
                p.predict(images.get(0));
                int baseline = manager.getManagedArrays().size();
                for (int i = 0; i < PREDICTIONS; i++) {
                    p.predict(images.get(i % images.size()));
                }
                assertEquals(
                        baseline,
                        manager.getManagedArrays().size(),
                        quantization + ": arrays left by " + PREDICTIONS + " predictions");
            }
            assertEquals(
                    beforePredictor,
                    manager.getManagedArrays().size(),
                    quantization + ": arrays left by a closed predictor");
        }
    }
}
