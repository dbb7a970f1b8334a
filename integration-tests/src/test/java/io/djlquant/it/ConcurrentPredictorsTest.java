package io.djlquant.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Several predictors of one zoo model on several threads answer exactly like one predictor, and
 * closing the model under them makes them fail cleanly.
 */
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

    @Test
    void eightPredictorsOnTheInt8Model() throws Exception {
        // CI size of the 8 x 2000 run (ConcurrencyStress, README Reliability): 8 x 25 predictions
        List<Image> images = FashionMnistTestImages.read(IMAGES).images;
        try (ZooModel<Image, Classifications> model = ZooModels.load("ptq")) {
            ConcurrencyRun.Result r = ConcurrencyRun.run(model, images, 8, 25);
            assertEquals(200, r.predictions);
            assertEquals(0, r.mismatches, r.toString());
        }
    }

    @Test
    void closingTheInt8ModelWhileOthersPredictFailsCleanly() throws Exception {
        List<Image> images = FashionMnistTestImages.read(8).images;
        ZooModel<Image, Classifications> model = ZooModels.load("ptq");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch predicting = new CountDownLatch(2);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            List<Future<Throwable>> futures = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                futures.add(
                        pool.submit(
                                () -> {
                                    try (Predictor<Image, Classifications> p =
                                            model.newPredictor()) {
                                        for (int i = 0; !stop.get(); i++) {
                                            p.predict(images.get(i % images.size()));
                                            if (i == 1) {
                                                predicting.countDown();
                                            }
                                        }
                                        return null; // still predicting long after the close:
                                        // reported below
                                    } catch (Throwable e) {
                                        return e;
                                    }
                                }));
            }
            assertTrue(predicting.await(120, TimeUnit.SECONDS), "predictors did not start");
            model.close();
            for (Future<Throwable> f : futures) {
                Throwable e;
                try {
                    e = f.get(60, TimeUnit.SECONDS);
                } catch (TimeoutException hang) {
                    stop.set(true);
                    throw new AssertionError(
                            "a predictor still runs 60 s after the model was closed");
                }
                assertNotNull(e, "prediction went on after the model was closed");
                assertTrue(
                        e instanceof TranslateException || e instanceof IllegalStateException,
                        "unexpected " + e);
                StringBuilder messages = new StringBuilder();
                for (Throwable c = e; c != null; c = c.getCause()) {
                    messages.append(c).append('\n');
                }
                // Depending on where the close lands: our managers refuse new arrays ("... is
                // closed")
                // or a PyTorch array that the translator's alternative manager already freed
                // reports
                // DJL's own wording, "Native resource has been release already." (sic, DJL 0.36's
                // NativeResource). Both say what happened.
                String m = messages.toString();
                assertTrue(m.contains("closed") || m.contains("has been release"), m);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS), "predictor threads hang");
        }
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
                    futures.add(
                            pool.submit(
                                    () -> {
                                        // each thread walks the images from a different start, so
                                        // calls overlap
                                        List<Image> order =
                                                new ArrayList<>(images.subList(shift, IMAGES));
                                        order.addAll(images.subList(0, shift));
                                        try (Predictor<Image, Classifications> p =
                                                model.newPredictor()) {
                                            List<List<Double>> got =
                                                    ZooModels.probabilities(p, order);
                                            List<List<Double>> back =
                                                    new ArrayList<>(
                                                            got.subList(IMAGES - shift, IMAGES));
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
