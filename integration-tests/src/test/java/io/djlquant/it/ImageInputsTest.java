package io.djlquant.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Application;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.translator.ImageClassificationTranslatorFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/**
 * Unusual images through the int8 zoo model's predictor: tiny and large images are resized like any
 * other; an image too large to convert safely fails with a TranslateException saying why.
 */
class ImageInputsTest {

    private static Image gray(int w, int h) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y += Math.max(1, h / 64)) {
            for (int x = 0; x < w; x += Math.max(1, w / 64)) {
                b.getRaster().setSample(x, y, 0, (x * 7 + y * 13) & 0xFF);
            }
        }
        return ImageFactory.getInstance().fromImage(b);
    }

    @Test
    void tinyAndLargeImagesAreClassified() throws Exception {
        try (ZooModel<Image, Classifications> model = ZooModels.load("ptq");
                Predictor<Image, Classifications> p = model.newPredictor()) {
            for (Image image : new Image[] {gray(1, 1), gray(3000, 2000), gray(1, 500)}) {
                Classifications c = p.predict(image);
                double sum = c.getProbabilities().stream().mapToDouble(Double::doubleValue).sum();
                assertEquals(1.0, sum, 1e-9);
            }
        }
    }

    @Test
    void anImageBeyondTheLimitIsRefusedClearly() throws Exception {
        try (ZooModel<Image, Classifications> model = ZooModels.load("ptq");
                Predictor<Image, Classifications> p = model.newPredictor()) {
            Image huge = gray(8193, 8192); // one column over 64 Mpixel, 67 MB as gray bytes
            TranslateException e = assertThrows(TranslateException.class, () -> p.predict(huge));
            StringBuilder messages = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                messages.append(t).append('\n');
            }
            assertTrue(messages.toString().contains("8193x8192"), messages.toString());
            assertTrue(messages.toString().contains("exceeds the limit"), messages.toString());
        }
    }

    /**
     * The zoo artifacts carry DJL's standard translator arguments: a user who brings DJL's own
     * {@code ImageClassificationTranslatorFactory} (and their own {@code topK}) gets the same
     * classes and probabilities as the zoo's translator, on JavaQuant alone (28x28 images: the
     * resize to 28x28 is the identity, the centred pad to 32x32 and the rest run in Java).
     */
    @Test
    void djlsStandardTranslatorReadsTheZooArguments() throws Exception {
        FashionMnistTestImages data = FashionMnistTestImages.read(200);
        Criteria<Image, Classifications> standard =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optApplication(Application.CV.IMAGE_CLASSIFICATION)
                        .optArtifactId("resnet18")
                        .optEngine("JavaQuant")
                        .optFilter("dataset", "fashion-mnist")
                        .optFilter("quantization", "qat")
                        .optTranslatorFactory(new ImageClassificationTranslatorFactory())
                        .optArgument("topK", 3)
                        .build();
        try (ZooModel<Image, Classifications> zoo = ZooModels.load("qat");
                Predictor<Image, Classifications> own = zoo.newPredictor();
                ZooModel<Image, Classifications> djl = standard.loadModel();
                Predictor<Image, Classifications> p = djl.newPredictor()) {
            for (Image image : data.images) {
                Classifications expected = own.predict(image);
                Classifications got = p.predict(image);
                assertEquals(3, got.topK().size(), "topK from the user's argument");
                for (String name : ZooModels.CLASS_NAMES) {
                    assertEquals(
                            expected.get(name).getProbability(),
                            got.get(name).getProbability(),
                            1e-6,
                            name);
                }
            }
        }
    }
}
