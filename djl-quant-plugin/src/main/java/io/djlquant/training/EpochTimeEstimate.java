package io.djlquant.training;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.TranslateException;
import io.djlquant.dataset.FashionMnist;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Estimates the wall time of one full training epoch by timing a few real training steps (forward,
 * backward, optimizer step, data loading) and extrapolating, so nobody has to run a full epoch on a
 * shared machine to plan one.
 *
 * @param batchSize the batch size timed
 * @param timedBatches how many batches were timed (after the warm-up)
 * @param secondsPerBatch mean wall time of one timed batch
 * @param epochImages images in one full epoch
 */
public record EpochTimeEstimate(
        int batchSize, int timedBatches, double secondsPerBatch, long epochImages) {

    /**
     * Returns the extrapolated time of one epoch.
     *
     * @return seconds for {@code ceil(epochImages / batchSize)} batches
     */
    public double epochSeconds() {
        return secondsPerBatch * ((epochImages + batchSize - 1) / batchSize);
    }

    /**
     * Times {@code timed} training batches after {@code warmup} untimed ones.
     *
     * @param factory creates the block to train
     * @param options batch size, optimizer, image size and channels are used
     * @param dataDir directory of the Fashion-MNIST files
     * @param warmup batches run before timing starts (lets PyTorch allocate and tune)
     * @param timed batches timed
     * @return the estimate for one epoch over the full training set
     * @throws IOException if the data cannot be read
     * @throws TranslateException if a batch cannot be built
     */
    public static EpochTimeEstimate measure(
            Supplier<Block> factory, TrainOptions options, Path dataDir, int warmup, int timed)
            throws IOException, TranslateException {
        if (warmup < 0 || timed < 1) {
            throw new IllegalArgumentException(
                    "need warmup >= 0 and timed >= 1, got " + warmup + ", " + timed);
        }
        FashionMnist train = TrainFloat.trainSet(options, dataDir, Long.MAX_VALUE);
        train.prepare();
        long epochImages = train.size();
        long needed = (long) (warmup + timed) * options.batchSize();
        if (needed > epochImages) {
            throw new IllegalArgumentException(
                    "warm-up plus timed batches need "
                            + needed
                            + " images, the set has "
                            + epochImages);
        }
        try (Model model = TrainFloat.newModel(options, factory);
                Trainer trainer = TrainFloat.newTrainer(model, options, train, 0)) {
            int done = 0;
            long start = 0;
            for (Batch batch : trainer.iterateDataset(train)) {
                try (batch) {
                    if (done == warmup) {
                        start = System.nanoTime();
                    }
                    TrainLoop.trainBatch(trainer, batch);
                    trainer.step();
                }
                if (++done == warmup + timed) {
                    break;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new EpochTimeEstimate(options.batchSize(), timed, seconds / timed, epochImages);
        }
    }
}
