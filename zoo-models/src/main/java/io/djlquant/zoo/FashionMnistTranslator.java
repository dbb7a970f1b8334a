package io.djlquant.zoo;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Image classification for the Fashion-MNIST models of this zoo: converts an image as in training
 * ({@link ImageConversion}) and turns the ten logits into {@link Classifications} by a softmax.
 *
 * <p>The softmax runs in Java on the float logits, so it works for the float model on PyTorch and
 * for the int8 models on JavaQuant alike. The translator keeps no per-call state and may be shared
 * by several predictors.
 */
public final class FashionMnistTranslator implements Translator<Image, Classifications> {

    private final ImageConversion conversion;
    private final List<String> classes;

    /**
     * Creates the translator.
     *
     * @param conversion the image conversion
     * @param classes the class names, one per logit
     */
    public FashionMnistTranslator(ImageConversion conversion, List<String> classes) {
        if (conversion == null || classes == null || classes.isEmpty()) {
            throw new IllegalArgumentException("need an image conversion and class names");
        }
        this.conversion = conversion;
        this.classes = List.copyOf(classes);
    }

    /** {@inheritDoc} */
    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        return new NDList(conversion.toNDArray(input, ctx.getNDManager()));
    }

    /** {@inheritDoc} */
    @Override
    public Classifications processOutput(TranslatorContext ctx, NDList list) {
        NDArray logits = list.singletonOrThrow();
        float[] z = logits.toType(DataType.FLOAT32, false).toFloatArray();
        if (z.length != classes.size()) {
            throw new IllegalStateException(
                    "model returned " + z.length + " logits for " + classes.size() + " classes");
        }
        return new Classifications(classes, softmax(z));
    }

    /** {@inheritDoc} */
    @Override
    public Batchifier getBatchifier() {
        return Batchifier.STACK;
    }

    /**
     * Numerically stable softmax.
     *
     * @param z the logits
     * @return probabilities summing to one
     */
    static List<Double> softmax(float[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            e[i] = StrictMath.exp(z[i] - max); // same bits on every platform
            sum += e[i];
        }
        List<Double> p = new ArrayList<>(z.length);
        for (double v : e) {
            p.add(v / sum);
        }
        return p;
    }
}
