package io.djlquant.training;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.SequenceSampler;
import ai.djl.training.util.ProgressBar;
import ai.djl.translate.TranslateException;
import java.io.IOException;

/**
 * Top-1 accuracy of a classifier over a whole dataset, in inference mode, with DJL's progress bar.
 *
 * <p>The arg-max is taken in Java on the float logits, so any engine whose outputs convert to
 * float32 works (PyTorch float models as well as quantized blocks that return dequantized floats).
 * Ties go to the lowest class index.
 */
public final class Evaluator {

    private Evaluator() {}

    /**
     * Evaluates a model's block using the model's manager.
     *
     * @param model the model
     * @param data the dataset (labels are class indices)
     * @param batchSize the evaluation batch size
     * @return the fraction of records whose arg-max equals the label, in [0, 1]
     * @throws IOException if the dataset cannot be read
     * @throws TranslateException if a batch cannot be built
     */
    public static double top1(Model model, RandomAccessDataset data, int batchSize)
            throws IOException, TranslateException {
        return top1(model.getBlock(), model.getNDManager(), data, batchSize);
    }

    /**
     * Evaluates a block with inputs created on the PyTorch engine.
     *
     * @param block the initialised block
     * @param data the dataset (labels are class indices)
     * @param batchSize the evaluation batch size
     * @return the fraction of records whose arg-max equals the label, in [0, 1]
     * @throws IOException if the dataset cannot be read
     * @throws TranslateException if a batch cannot be built
     */
    public static double top1(Block block, RandomAccessDataset data, int batchSize)
            throws IOException, TranslateException {
        try (NDManager manager = Trainers.engine().newBaseManager()) {
            return top1(block, manager, data, batchSize);
        }
    }

    /**
     * Evaluates a block with inputs created by {@code manager} (which fixes the engine).
     *
     * @param block the initialised block
     * @param manager the manager that creates the input batches
     * @param data the dataset (labels are class indices)
     * @param batchSize the evaluation batch size
     * @return the fraction of records whose arg-max equals the label, in [0, 1]
     * @throws IOException if the dataset cannot be read
     * @throws TranslateException if a batch cannot be built
     */
    public static double top1(
            Block block, NDManager manager, RandomAccessDataset data, int batchSize)
            throws IOException, TranslateException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (!block.isInitialized()) {
            throw new IllegalStateException("block is not initialised: train or load it first");
        }
        data.prepare();
        long total = data.size();
        if (total == 0) {
            throw new IllegalArgumentException("cannot evaluate on an empty dataset");
        }
        ProgressBar bar = new ProgressBar("Top-1", (total + batchSize - 1) / batchSize);
        ParameterStore parameters = new ParameterStore(manager, false);
        BatchSampler sequential = new BatchSampler(new SequenceSampler(), batchSize, false);
        long correct = 0;
        long seen = 0;
        for (Batch batch : data.getData(manager, sequential)) {
            try (batch) {
                NDArray logits = block.forward(parameters, batch.getData(), false).head();
                NDArray labels = batch.getLabels().head();
                correct += countCorrect(logits, labels);
                seen += labels.size();
                bar.increment(1);
            }
        }
        if (seen != total) {
            throw new IllegalStateException("evaluated " + seen + " records, expected " + total);
        }
        return (double) correct / seen;
    }

    /**
     * Counts rows of {@code logits} (batch, classes) whose arg-max equals {@code labels} (batch).
     *
     * @param logits the scores, one row per record
     * @param labels the class indices
     * @return the number of correct predictions
     */
    public static long countCorrect(NDArray logits, NDArray labels) {
        if (logits.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    "expected logits of shape (batch, classes), got " + logits.getShape());
        }
        int rows = Math.toIntExact(logits.getShape().get(0));
        int classes = Math.toIntExact(logits.getShape().get(1));
        if (labels.size() != rows) {
            throw new IllegalArgumentException(
                    labels.size() + " labels for " + rows + " rows of logits");
        }
        float[] scores = logits.toType(DataType.FLOAT32, false).toFloatArray();
        float[] truth = labels.toType(DataType.FLOAT32, false).toFloatArray();
        long correct = 0;
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (scores[r * classes + c] > scores[r * classes + best]) {
                    best = c;
                }
            }
            if (best == (int) truth[r]) {
                correct++;
            }
        }
        return correct;
    }
}
