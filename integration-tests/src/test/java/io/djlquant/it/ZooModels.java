package io.djlquant.it;

import ai.djl.Application;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.util.ArrayList;
import java.util.List;

/** How an application loads and runs the zoo's ResNet18 variants, with DJL's public API only. */
final class ZooModels {

    static final List<String> CLASS_NAMES =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    private ZooModels() {}

    /** The criteria from the zoo's documentation, for one engine and quantization variant. */
    static Criteria<Image, Classifications> criteria(String engine, String quantization) {
        Criteria.Builder<Image, Classifications> b =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optApplication(Application.CV.IMAGE_CLASSIFICATION)
                        .optArtifactId("resnet18")
                        .optEngine(engine)
                        .optFilter("dataset", "fashion-mnist");
        if (quantization != null) {
            b.optFilter("quantization", quantization);
        }
        return b.build();
    }

    /** Engine that runs a variant. */
    static String engineOf(String quantization) {
        return "none".equals(quantization) ? "PyTorch" : "JavaQuant";
    }

    static ZooModel<Image, Classifications> load(String quantization) throws Exception {
        return criteria(engineOf(quantization), quantization).loadModel();
    }

    /** The best class index of each image, predicted in batches by one predictor. */
    static int[] predict(Predictor<Image, Classifications> predictor, List<Image> images, int batch)
            throws TranslateException {
        int[] out = new int[images.size()];
        for (int from = 0; from < images.size(); from += batch) {
            List<Image> chunk = images.subList(from, Math.min(images.size(), from + batch));
            List<Classifications> results = predictor.batchPredict(chunk);
            for (int i = 0; i < results.size(); i++) {
                out[from + i] = CLASS_NAMES.indexOf(results.get(i).best().getClassName());
            }
        }
        return out;
    }

    /** The full probability vectors of each image, one image per call. */
    static List<List<Double>> probabilities(
            Predictor<Image, Classifications> predictor, List<Image> images)
            throws TranslateException {
        List<List<Double>> out = new ArrayList<>();
        for (Image img : images) {
            Classifications c = predictor.predict(img);
            List<Double> p = new ArrayList<>();
            for (String name : CLASS_NAMES) {
                p.add(c.get(name).getProbability());
            }
            out.add(p);
        }
        return out;
    }

    static double top1(int[] predicted, int[] labels) {
        int ok = 0;
        for (int i = 0; i < predicted.length; i++) {
            ok += predicted[i] == labels[i] ? 1 : 0;
        }
        return ok / (double) predicted.length;
    }

    static double agreement(int[] a, int[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return same / (double) a.length;
    }
}
