package io.djlquant.bench;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.modality.cv.translator.ImageClassificationTranslator;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The int8 model behind an {@code Image -> Classifications} predictor loaded through {@code
 * Criteria} on JavaQuant, fed real Fashion-MNIST test images as {@link Image}s of the case's size
 * (the benchmark's float input is ignored). DJL's {@link ImageClassificationTranslator} (ToTensor,
 * softmax, 1000 placeholder class names: the weights are random) does the conversion. Batch 1 uses
 * {@code predict}, larger batches {@code batchPredict} ({@code Batchifier.STACK}).
 */
final class ImageCriteriaPath implements AutoCloseable {

    private final Path dir;
    private final ZooModel<Image, Classifications> model;
    private final Predictor<Image, Classifications> predictor;
    private final Map<Integer, List<Image>> imagesBySide = new HashMap<>();
    private final int maxBatch;

    private ImageCriteriaPath(Path dir, ZooModel<Image, Classifications> model, int maxBatch) {
        this.dir = dir;
        this.model = model;
        this.predictor = model.newPredictor();
        this.maxBatch = maxBatch;
    }

    static ImageCriteriaPath load(Block q, int classes, int maxBatch)
            throws IOException, ModelNotFoundException, MalformedModelException {
        List<String> synset = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) {
            synset.add("class" + i);
        }
        ImageClassificationTranslator translator =
                ImageClassificationTranslator.builder()
                        .addTransform(new ToTensor())
                        .optSynset(synset)
                        .optApplySoftmax(true)
                        .build();
        Path dir = CriteriaPath.saveTemp(q);
        Criteria<Image, Classifications> criteria =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optModelPath(dir)
                        .optEngine("JavaQuant")
                        .optTranslator(translator)
                        .build();
        return new ImageCriteriaPath(dir, criteria.loadModel(), maxBatch);
    }

    private List<Image> images(int side) {
        return imagesBySide.computeIfAbsent(
                side,
                s -> {
                    try {
                        return FashionMnistImages.read(FashionMnistImages.TEST_IMAGES, maxBatch, s);
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot read Fashion-MNIST test images", e);
                    }
                });
    }

    /** Reads (and scales) the images of a size outside any timed pass. */
    void prepare(int side) {
        images(side);
    }

    Pass pass() {
        return (x, n, side) -> {
            List<Image> all = images(side);
            if (n > all.size()) {
                throw new IllegalArgumentException(
                        "batch " + n + " > " + all.size() + " prepared images");
            }
            try {
                if (n == 1) {
                    predictor.predict(all.get(0)).best();
                } else {
                    for (Classifications c : predictor.batchPredict(all.subList(0, n))) {
                        c.best();
                    }
                }
            } catch (TranslateException e) {
                throw new IllegalStateException("Image predictor failed", e);
            }
        };
    }

    @Override
    public void close() throws IOException {
        predictor.close();
        model.close();
        CriteriaPath.delete(dir);
    }
}
