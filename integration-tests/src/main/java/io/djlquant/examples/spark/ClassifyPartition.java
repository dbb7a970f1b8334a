package io.djlquant.examples.spark;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.translate.TranslateException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Classifies the image files of one partition ({@code binaryFile} rows: path, content) in batches,
 * with the executor's shared model and a predictor of this task. Batches are decoded and predicted
 * as the output is consumed, so a partition never holds more than one batch of images.
 */
public final class ClassifyPartition implements MapPartitionsFunction<Row, Prediction> {

    private static final long serialVersionUID = 1L;

    private final int batchSize;

    /**
     * Creates the function.
     *
     * @param batchSize images per {@code batchPredict} call (at least 1)
     */
    public ClassifyPartition(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** {@inheritDoc} */
    @Override
    public Iterator<Prediction> call(Iterator<Row> files) throws Exception {
        Predictor<Image, Classifications> predictor = ExecutorModel.get().newPredictor();
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) ctx -> predictor.close());
        }
        return new Iterator<>() {
            private final List<Prediction> pending = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next < pending.size()) {
                    return true;
                }
                pending.clear();
                next = 0;
                fill();
                if (pending.isEmpty() && task == null) {
                    predictor.close(); // no Spark task (a direct call): close when drained
                }
                return !pending.isEmpty();
            }

            @Override
            public Prediction next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.get(next++);
            }

            private void fill() {
                List<String> paths = new ArrayList<>();
                List<Image> images = new ArrayList<>();
                while (images.size() < batchSize && files.hasNext()) {
                    Row row = files.next();
                    String path = row.getAs("path");
                    byte[] content = row.getAs("content");
                    try {
                        images.add(
                                ImageFactory.getInstance()
                                        .fromInputStream(new ByteArrayInputStream(content)));
                    } catch (IOException e) {
                        throw new UncheckedIOException("not a readable image: " + path, e);
                    }
                    paths.add(path);
                }
                if (images.isEmpty()) {
                    return;
                }
                try {
                    List<Classifications> results = predictor.batchPredict(images);
                    for (int i = 0; i < results.size(); i++) {
                        Classifications.Classification best = results.get(i).best();
                        pending.add(
                                new Prediction(
                                        paths.get(i), best.getClassName(), best.getProbability()));
                    }
                } catch (TranslateException e) {
                    throw new IllegalStateException(
                            "prediction failed for a batch starting at " + paths.get(0), e);
                }
            }
        };
    }
}
