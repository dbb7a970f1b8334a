package io.djlquant.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.ZooModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Several predictors of one zoo model on several threads answer exactly like one predictor. */
class ConcurrentPredictorsTest {

    private static final int IMAGES = 24;
    private static final int THREADS = 3;

    @Test
    void int8ModelOnJavaQuant() throws Exception {
        check("ptq");
    }

    @Test
    void floatModelOnPyTorch() throws Exception {
        check("none");
    }

    private static void check(String quantization) throws Exception {
        List<Image> images = FashionMnistTestImages.read(IMAGES).images;
        try (ZooModel<Image, Classifications> model = ZooModels.load(quantization)) {
            List<List<Double>> expected;
            try (Predictor<Image, Classifications> one = model.newPredictor()) {
                expected = ZooModels.probabilities(one, images);
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<List<List<Double>>>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int shift = t * IMAGES / THREADS;
                    futures.add(pool.submit(() -> {
                        // each thread walks the images from a different start, so calls overlap
                        List<Image> order = new ArrayList<>(images.subList(shift, IMAGES));
                        order.addAll(images.subList(0, shift));
                        try (Predictor<Image, Classifications> p = model.newPredictor()) {
                            List<List<Double>> got = ZooModels.probabilities(p, order);
                            List<List<Double>> back = new ArrayList<>(got.subList(IMAGES - shift, IMAGES));
                            back.addAll(got.subList(0, IMAGES - shift));
                            return back;
                        }
                    }));
                }
                for (int t = 0; t < THREADS; t++) {
                    assertEquals(expected, futures.get(t).get(), quantization + " thread " + t);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
