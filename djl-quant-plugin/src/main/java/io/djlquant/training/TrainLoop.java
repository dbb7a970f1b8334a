package io.djlquant.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The epoch loop on a DJL {@link Trainer}: like {@code EasyTrain.fit}, but it records each batch
 * loss and the training accuracy, evaluates top-1 on the test set and checkpoints every epoch.
 */
public final class TrainLoop {

    private TrainLoop() {}

    /**
     * Trains from epoch {@code startEpoch + 1} up to {@code options.epochs()}.
     *
     * @param trainer an initialised trainer (see {@link Trainers#create})
     * @param options the hyper-parameters (epochs and evaluation batch size are used here)
     * @param train the training data, batched by its own sampler
     * @param test the test data, or null for no per-epoch evaluation
     * @param checkpoints where to save each epoch, or null for no checkpoints
     * @param startEpoch the number of epochs already completed (0 for a fresh run)
     * @return the history of the epochs run here
     * @throws IOException if data cannot be read or a checkpoint cannot be written
     * @throws TranslateException if a batch cannot be built
     */
    public static TrainingHistory fit(
            Trainer trainer,
            TrainOptions options,
            RandomAccessDataset train,
            RandomAccessDataset test,
            Checkpoints checkpoints,
            int startEpoch)
            throws IOException, TranslateException {
        if (startEpoch < 0) {
            throw new IllegalArgumentException("startEpoch must be >= 0, got " + startEpoch);
        }
        List<EpochStats> epochs = new ArrayList<>();
        FloatList losses = new FloatList();
        for (int epoch = startEpoch + 1; epoch <= options.epochs(); epoch++) {
            long start = System.nanoTime();
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            for (Batch batch : trainer.iterateDataset(train)) {
                try (batch) {
                    long n = batch.getSize();
                    BatchResult result = trainBatch(trainer, batch);
                    trainer.step();
                    losses.add(result.loss());
                    lossSum += (double) result.loss() * n;
                    correct += result.correct();
                    seen += n;
                }
            }
            if (seen == 0) {
                throw new IllegalStateException("the training dataset produced no batch");
            }
            if (!Double.isFinite(lossSum)) {
                throw new IllegalStateException(
                        "training diverged in epoch " + epoch + " (loss is " + lossSum + ")");
            }
            double testAccuracy =
                    test == null
                            ? Double.NaN
                            : Evaluator.top1(trainer.getModel(), test, options.batchSize());
            trainer.notifyListeners(listener -> listener.onEpoch(trainer));
            Path saved = checkpoints == null ? null : checkpoints.save(trainer.getModel(), epoch);
            double seconds = (System.nanoTime() - start) / 1e9;
            epochs.add(
                    new EpochStats(
                            epoch,
                            lossSum / seen,
                            (double) correct / seen,
                            testAccuracy,
                            seconds,
                            saved));
        }
        return new TrainingHistory(List.copyOf(epochs), losses.toArray());
    }

    /**
     * Runs forward, loss and backward on one batch (no optimizer step) and tells the listeners.
     *
     * @param trainer the trainer
     * @param batch the batch
     * @return the batch's mean loss and number of correct predictions
     */
    public static BatchResult trainBatch(Trainer trainer, Batch batch) {
        if (trainer.getManager().getEngine() != batch.getManager().getEngine()) {
            throw new IllegalArgumentException(
                    "batch engine "
                            + batch.getManager().getEngine().getEngineName()
                            + " differs from the trainer engine "
                            + trainer.getManager().getEngine().getEngineName());
        }
        NDList data = batch.getData();
        NDList labels = batch.getLabels();
        BatchData batchData =
                new BatchData(batch, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        float loss;
        long correct;
        try (GradientCollector collector = trainer.newGradientCollector()) {
            NDList predictions = trainer.forward(data, labels);
            NDArray lossValue = trainer.getLoss().evaluate(labels, predictions);
            collector.backward(lossValue);
            loss = lossValue.getFloat();
            correct = Evaluator.countCorrect(predictions.head(), labels.head());
            batchData.getLabels().put(labels.head().getDevice(), labels);
            batchData.getPredictions().put(predictions.head().getDevice(), predictions);
        }
        trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, batchData));
        return new BatchResult(loss, correct);
    }

    /**
     * The result of one training batch.
     *
     * @param loss the mean loss of the batch
     * @param correct how many records the forward pass classified correctly
     */
    public record BatchResult(float loss, long correct) {}

    /** A growable float array, to avoid boxing one Float per batch. */
    private static final class FloatList {
        private float[] values = new float[256];
        private int size;

        void add(float v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
