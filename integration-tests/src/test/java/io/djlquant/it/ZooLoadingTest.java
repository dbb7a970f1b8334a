package io.djlquant.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Application;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Finding and loading the zoo's models with DJL's public API, and the image conversion. */
class ZooLoadingTest {

    @Test
    void documentedCriteriaLoadAnInt8ModelOnJavaQuant() throws Exception {
        FashionMnistTestImages data = FashionMnistTestImages.read(1);
        try (ZooModel<Image, Classifications> model =
                        ZooModels.criteria("JavaQuant", null).loadModel();
                Predictor<Image, Classifications> p = model.newPredictor()) {
            assertEquals("JavaQuant", model.getNDManager().getEngine().getEngineName());
            // without a quantization filter JavaQuant gets the QAT model, the zoo's best int8 one
            assertEquals("resnet18-qat", model.getName());
            Classifications c = p.predict(data.images.get(0));
            assertEquals(ZooModels.CLASS_NAMES, c.getClassNames());
            double sum = c.getProbabilities().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(1.0, sum, 1e-9);
        }
    }

    @Test
    @Tag("pytorch")
    void pyTorchEngineGetsTheFloatModel() throws Exception {
        try (ZooModel<Image, Classifications> model =
                ZooModels.criteria("PyTorch", null).loadModel()) {
            assertEquals("PyTorch", model.getNDManager().getEngine().getEngineName());
            assertEquals("resnet18-float", model.getName());
        }
    }

    @Test
    void aVariantOnTheWrongEngineIsRejectedWithItsReason() {
        ModelNotFoundException e =
                assertThrows(
                        ModelNotFoundException.class,
                        () -> ZooModels.criteria("JavaQuant", "none").loadModel());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("runs on the PyTorch engine"), messages.toString());
    }

    @Test
    void theZooIsListedForImageClassification() {
        Map<Application, List<MRL>> models = ModelZoo.listModels();
        List<MRL> cv = models.get(Application.CV.IMAGE_CLASSIFICATION);
        assertTrue(
                cv != null
                        && cv.stream()
                                .anyMatch(
                                        m ->
                                                "io.djlquant".equals(m.getGroupId())
                                                        && "resnet18".equals(m.getArtifactId())),
                "listed: " + models);
    }

    @Test
    void imagesOfOtherSizesAndColourModesAreConvertedAsInTraining() throws Exception {
        FashionMnistTestImages data = FashionMnistTestImages.read(8);
        ImageFactory factory = ImageFactory.getInstance();
        try (ZooModel<Image, Classifications> model = ZooModels.load("ptq");
                Predictor<Image, Classifications> p = model.newPredictor()) {
            List<List<Double>> original = ZooModels.probabilities(p, data.images);
            for (int i = 0; i < data.images.size(); i++) {
                // 2x nearest-neighbour enlargement, half-transparent-free RGB: averaging gives back
                // the original pixels, so the probabilities must be the same.
                int[] small = pixels(data.images.get(i));
                int[] big = new int[56 * 56];
                for (int y = 0; y < 56; y++) {
                    for (int x = 0; x < 56; x++) {
                        big[y * 56 + x] = small[(y / 2) * 28 + x / 2];
                    }
                }
                List<Double> enlarged =
                        ZooModels.probabilities(p, List.of(factory.fromPixels(big, 56, 56))).get(0);
                assertArrayEquals(toArray(original.get(i)), toArray(enlarged), 1e-12, "image " + i);
            }
            // an arbitrary colour image of another aspect ratio still gives ten probabilities
            int[] colour = new int[70 * 50];
            for (int k = 0; k < colour.length; k++) {
                colour[k] = 0xFF000000 | (k % 256) << 16 | ((k / 7) % 256) << 8 | 40;
            }
            Classifications c = p.predict(factory.fromPixels(colour, 70, 50));
            assertEquals(10, c.getProbabilities().size());
            assertEquals(
                    1.0,
                    c.getProbabilities().stream().mapToDouble(Double::doubleValue).sum(),
                    1e-9);
        }
    }

    private static int[] pixels(Image img) {
        java.awt.image.BufferedImage b = (java.awt.image.BufferedImage) img.getWrappedImage();
        return b.getRGB(0, 0, 28, 28, null, 0, 28);
    }

    private static double[] toArray(List<Double> list) {
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
