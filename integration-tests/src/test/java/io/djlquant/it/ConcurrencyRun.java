package io.djlquant.it;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.repository.zoo.ZooModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many threads, each with its own {@link Predictor} on one shared zoo model, every answer compared
 * with the single-thread answer for the same image (full probability vectors, exact equality). Used
 * by {@link ConcurrentPredictorsTest} (small) and {@link ConcurrencyStress} (8 x 2000).
 */
final class ConcurrencyRun {

    /** What a run found. */
    static final class Result {
        final long predictions;
        final long mismatches;
        final String firstMismatch;
        final double seconds;

        Result(long predictions, long mismatches, String firstMismatch, double seconds) {
            this.predictions = predictions;
            this.mismatches = mismatches;
            this.firstMismatch = firstMismatch;
            this.seconds = seconds;
        }

        @Override
        public String toString() {
            return String.format(
                    "%d predictions in %.1f s (%.1f/s), %d differ from the single-thread answer%s",
                    predictions,
                    seconds,
                    predictions / seconds,
                    mismatches,
                    firstMismatch == null ? "" : "; first: " + firstMismatch);
        }
    }

    private ConcurrencyRun() {}

    /**
     * Runs {@code threads} predictors concurrently, {@code perThread} predictions each, over {@code
     * images} (thread t starts at a different image so that different inputs overlap).
     */
    static Result run(
            ZooModel<Image, Classifications> model, List<Image> images, int threads, int perThread)
            throws Exception {
        List<List<Double>> expected;
        try (Predictor<Image, Classifications> one = model.newPredictor()) {
            expected = ZooModels.probabilities(one, images);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<String[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(
                        pool.submit(
                                () -> {
                                    long bad = 0;
                                    String first = null;
                                    try (Predictor<Image, Classifications> p =
                                            model.newPredictor()) {
                                        start.await();
                                        for (int k = 0; k < perThread; k++) {
                                            int i = (thread * 7 + k) % images.size();
                                            List<Double> got =
                                                    ZooModels.probabilities(
                                                                    p, List.of(images.get(i)))
                                                            .get(0);
                                            if (!got.equals(expected.get(i))) {
                                                bad++;
                                                if (first == null) {
                                                    first =
                                                            "thread "
                                                                    + thread
                                                                    + " image "
                                                                    + i
                                                                    + ": "
                                                                    + got
                                                                    + " != "
                                                                    + expected.get(i);
                                                }
                                            }
                                        }
                                    }
                                    return new String[] {Long.toString(bad), first};
                                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            long mismatches = 0;
            String first = null;
            for (Future<String[]> f : futures) {
                String[] r = f.get();
                mismatches += Long.parseLong(r[0]);
                first = first == null ? r[1] : first;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Result((long) threads * perThread, mismatches, first, seconds);
        } finally {
            pool.shutdownNow();
        }
    }
}
