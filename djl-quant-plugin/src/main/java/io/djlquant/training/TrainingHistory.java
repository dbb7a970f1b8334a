package io.djlquant.training;

import java.util.List;

/**
 * The outcome of {@link TrainLoop#fit}: per-epoch statistics and every batch loss in order.
 *
 * @param epochs statistics of each epoch run (resumed epochs are not repeated)
 * @param batchLosses the mean loss of every training batch, in training order
 */
public record TrainingHistory(List<EpochStats> epochs, float[] batchLosses) {

    /**
     * Returns the statistics of the last epoch run.
     *
     * @return the last epoch's statistics
     * @throws IllegalStateException if no epoch was run
     */
    public EpochStats last() {
        if (epochs.isEmpty()) {
            throw new IllegalStateException("no epoch was run");
        }
        return epochs.get(epochs.size() - 1);
    }
}
