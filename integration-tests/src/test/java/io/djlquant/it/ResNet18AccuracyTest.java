package io.djlquant.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.ZooModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Top-1 of the three zoo models on real Fashion-MNIST test images, through Criteria, ZooModel and
 * Predictor only.
 *
 * <p>The whole test set (all {@value #DEFAULT_IMAGES} images) by default, as the targets are stated
 * for it; {@code -Ddjlquant.it.images=N} runs the first N images for a quicker look.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResNet18AccuracyTest {

    static final int DEFAULT_IMAGES = 10000;

    /** Float top-1 target of the shipped float model. */
    static final double FLOAT_TARGET = 0.92;

    /** Largest allowed drop of PTQ Q top-1 below float. */
    static final double PTQ_MAX_DROP = 0.005;

    /** Largest allowed drop of QAT Q top-1 below float. */
    static final double QAT_MAX_DROP = 0.002;

    /** Smallest allowed fraction of images where float and int8 predict the same class. */
    static final double MIN_AGREEMENT = 0.99;

    private final Map<String, int[]> predicted = new LinkedHashMap<>();
    private final Map<String, String> engines = new LinkedHashMap<>();
    private FashionMnistTestImages data;

    @BeforeAll
    void predictWithEveryVariant() throws Exception {
        data =
                FashionMnistTestImages.read(
                        Integer.getInteger("djlquant.it.images", DEFAULT_IMAGES));
        for (String q : new String[] {"none", "ptq", "qat"}) {
            try (ZooModel<Image, Classifications> model = ZooModels.load(q);
                    Predictor<Image, Classifications> predictor = model.newPredictor()) {
                engines.put(q, model.getNDManager().getEngine().getEngineName());
                predicted.put(q, ZooModels.predict(predictor, data.images, 50));
            }
        }
        System.out.printf(
                Locale.ROOT, "zoo ResNet18 on %d Fashion-MNIST test images:%n", data.labels.length);
        for (String q : predicted.keySet()) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-4s on %-9s top-1 %.2f%%, agreement with float %.2f%%%n",
                    q,
                    engines.get(q),
                    100 * top1(q),
                    100 * ZooModels.agreement(predicted.get("none"), predicted.get(q)));
        }
    }

    private double top1(String q) {
        return ZooModels.top1(predicted.get(q), data.labels);
    }

    @Test
    void variantsRunOnTheirEngines() {
        assertEquals("PyTorch", engines.get("none"));
        assertEquals("JavaQuant", engines.get("ptq"));
        assertEquals("JavaQuant", engines.get("qat"));
    }

    @Test
    void floatMeetsItsTarget() {
        assertTrue(
                top1("none") >= FLOAT_TARGET,
                String.format(Locale.ROOT, "float top-1 %.4f < %.2f", top1("none"), FLOAT_TARGET));
    }

    @Test
    void ptqStaysCloseToFloat() {
        assertTrue(
                top1("ptq") >= top1("none") - PTQ_MAX_DROP,
                String.format(Locale.ROOT, "PTQ %.4f vs float %.4f", top1("ptq"), top1("none")));
    }

    @Test
    void qatStaysCloseToFloat() {
        assertTrue(
                top1("qat") >= top1("none") - QAT_MAX_DROP,
                String.format(Locale.ROOT, "QAT %.4f vs float %.4f", top1("qat"), top1("none")));
    }

    @Test
    void floatAndInt8AgreeOnAlmostEveryImage() {
        for (String q : new String[] {"ptq", "qat"}) {
            double a = ZooModels.agreement(predicted.get("none"), predicted.get(q));
            assertTrue(a >= MIN_AGREEMENT, String.format(Locale.ROOT, "%s agreement %.4f", q, a));
        }
    }

    @Test
    void predictionsAreNotDegenerate() {
        // A model that always answers the same class could still agree with itself.
        for (Map.Entry<String, int[]> e : predicted.entrySet()) {
            long distinct = java.util.Arrays.stream(e.getValue()).distinct().count();
            assertEquals(10, distinct, e.getKey() + " predicts only " + distinct + " classes");
        }
    }
}
