package io.djlquant.zoo;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.translate.TranslateException;
import io.djlquant.dataset.FashionMnist;
import java.util.List;

/** Best-class predictions of a zoo predictor and their top-1, for the zoo's tests. */
final class ZooPredictions {

    private ZooPredictions() {}

    /** The best class index of each image, predicted in batches. */
    static int[] best(Predictor<Image, Classifications> predictor, List<Image> images, int batch)
            throws TranslateException {
        List<String> names = FashionMnist.classNames();
        int[] out = new int[images.size()];
        for (int from = 0; from < images.size(); from += batch) {
            List<Image> chunk = images.subList(from, Math.min(images.size(), from + batch));
            List<Classifications> results = predictor.batchPredict(chunk);
            for (int i = 0; i < results.size(); i++) {
                out[from + i] = names.indexOf(results.get(i).best().getClassName());
            }
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
}
