package io.djlquant.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import org.junit.jupiter.api.Test;

class ResNet18LoaderTest {

    private static Criteria<Image, Classifications> criteria(String engine, String quantization) {
        Criteria.Builder<Image, Classifications> b =
                Criteria.builder().setTypes(Image.class, Classifications.class).optEngine(engine);
        if (quantization != null) {
            b.optFilter("quantization", quantization);
        }
        return b.build();
    }

    @Test
    void engineChoosesTheDefaultVariant() throws Exception {
        assertEquals(
                "none",
                ResNet18Loader.withVariant(criteria("PyTorch", null), true)
                        .getFilters()
                        .get("quantization"));
        assertEquals(
                "qat",
                ResNet18Loader.withVariant(criteria("JavaQuant", null), true)
                        .getFilters()
                        .get("quantization"));
        assertEquals(
                "ptq",
                ResNet18Loader.withVariant(criteria("JavaQuant", null), false)
                        .getFilters()
                        .get("quantization"));
        assertEquals(
                "qat",
                ResNet18Loader.withVariant(criteria(null, null), true)
                        .getFilters()
                        .get("quantization"));
        assertEquals(
                "ptq",
                ResNet18Loader.withVariant(criteria("JavaQuant", "ptq"), true)
                        .getFilters()
                        .get("quantization"));
    }

    @Test
    void variantOnTheWrongEngineIsRejected() {
        ModelNotFoundException e =
                assertThrows(
                        ModelNotFoundException.class,
                        () -> ResNet18Loader.withVariant(criteria("JavaQuant", "none"), true));
        assertTrue(e.getMessage().contains("PyTorch"), e.getMessage());
        e =
                assertThrows(
                        ModelNotFoundException.class,
                        () -> ResNet18Loader.withVariant(criteria("PyTorch", "qat"), true));
        assertTrue(e.getMessage().contains("JavaQuant"), e.getMessage());
    }

    @Test
    void softmaxIsStable() {
        java.util.List<Double> p = FashionMnistTranslator.softmax(new float[] {1000f, 1000f, 0f});
        assertEquals(0.5, p.get(0), 1e-12);
        assertEquals(0.5, p.get(1), 1e-12);
        assertEquals(0.0, p.get(2), 1e-12);
    }
}
