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
 * <p>The first {@value #DEFAULT_IMAGES} test images by default: on the shared 2-core machine one
 * image costs about 50 ms per model, so the full 10,000 would take many minutes. {@code -Ddjlquant.it.images=10000} runs the full test set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResNet18AccuracyTest {

    static final int DEFAULT_IMAGES = 2000;

    /** Float top-1 target of the final model (issue 4). */
    static final double FLOAT_TARGET = 0.92;
    /**
     * What the test asserts for now: the shipped float model is a provisional checkpoint (epoch 2
     * of the lead's 8-epoch run, about 88 % top-1), below {@link #FLOAT_TARGET}; set this to the
     * target once the final checkpoint is shipped.
     */
    static final double FLOAT_MIN = 0.86;
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
        data = FashionMnistTestImages.read(Integer.getInteger("djlquant.it.images", DEFAULT_IMAGES));
        for (String q : new String[] {"none", "ptq"}) {
            try (ZooModel<Image, Classifications> model = ZooModels.load(q);
                    Predictor<Image, Classifications> predictor = model.newPredictor()) {
                engines.put(q, model.getNDManager().getEngine().getEngineName());
                predicted.put(q, ZooModels.predict(predictor, data.images, 50));
            }
        }
        System.out.printf(Locale.ROOT, "zoo ResNet18 on %d Fashion-MNIST test images:%n", data.labels.length);
        for (String q : predicted.keySet()) {
            System.out.printf(Locale.ROOT, "  %-4s on %-9s top-1 %.2f%%, agreement with float %.2f%%%n",
                    q, engines.get(q), 100 * top1(q), 100 * ZooModels.agreement(predicted.get("none"), predicted.get(q)));
        }
    }

    private double top1(String q) {
        return ZooModels.top1(predicted.get(q), data.labels);
    }

    @Test
    void variantsRunOnTheirEngines() {
        assertEquals("PyTorch", engines.get("none"));
        assertEquals("JavaQuant", engines.get("ptq"));
    }

    @Test
    void floatReachesTheShippedModelsFloor() {
        if (top1("none") < FLOAT_TARGET) {
            System.out.printf(Locale.ROOT, "float top-1 %.4f is below the %.2f target (provisional model)%n",
                    top1("none"), FLOAT_TARGET);
        }
        assertTrue(top1("none") >= FLOAT_MIN,
                String.format(Locale.ROOT, "float top-1 %.4f < %.2f", top1("none"), FLOAT_MIN));
    }

    @Test
    void ptqStaysCloseToFloat() {
        assertTrue(top1("ptq") >= top1("none") - PTQ_MAX_DROP,
                String.format(Locale.ROOT, "PTQ %.4f vs float %.4f", top1("ptq"), top1("none")));
    }

    // No QAT model is shipped yet (the QAT fine-tuning run did not finish), so QAT_MAX_DROP is
    // not checked; add "qat" to the variants above once resnet18-qat.jq is in the zoo.

    @Test
    void floatAndInt8AgreeOnAlmostEveryImage() {
        for (String q : new String[] {"ptq"}) {
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
