package io.djlquant.training;

import java.nio.file.Path;

/**
 * What one training epoch produced.
 *
 * @param epoch the 1-based epoch number
 * @param trainLoss mean training loss over the epoch's records (computed in training mode)
 * @param trainAccuracy fraction of training records classified correctly while training
 * @param testAccuracy top-1 accuracy on the test set after the epoch, or NaN without a test set
 * @param seconds wall time of the epoch including evaluation and checkpointing
 * @param checkpoint the saved parameter file, or null without checkpoints
 */
public record EpochStats(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double testAccuracy,
        double seconds,
        Path checkpoint) {}
