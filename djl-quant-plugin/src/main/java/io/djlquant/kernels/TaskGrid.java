package io.djlquant.kernels;

/**
 * How a convolution's product is cut into tasks: per group, tiles of {@code tile} columns (of
 * {@code columns}) times chunks of {@code chunk} output channels (of {@code channels} per group).
 * Task number {@code (group * tiles + tileIndex) * chunks + chunkIndex}: one decoding for every
 * convolution path, so counting and decoding cannot disagree.
 */
record TaskGrid(int groups, int columns, int tile, int channels, int chunk) {

    /**
     * The grid whose channel chunk {@code chunkRule} picks from the channels per group and the
     * number of (group, tile) pairs ({@link ConvKernel#channelChunk} or {@link
     * ConvKernel#shiftedChannelChunk}).
     */
    static TaskGrid of(
            int groups,
            int columns,
            int tile,
            int channels,
            java.util.function.IntBinaryOperator chunkRule) {
        int tiles = (columns + tile - 1) / tile;
        return new TaskGrid(
                groups, columns, tile, channels, chunkRule.applyAsInt(channels, groups * tiles));
    }

    /** Tiles per group. */
    int tiles() {
        return (columns + tile - 1) / tile;
    }

    /** Channel chunks per group. */
    int chunks() {
        return (channels + chunk - 1) / chunk;
    }

    /** Number of tasks. */
    int tasks() {
        return groups * tiles() * chunks();
    }

    /** The group of a task. */
    int group(int task) {
        return task / chunks() / tiles();
    }

    /** The index of a task's tile within its group. */
    int tileIndex(int task) {
        return task / chunks() % tiles();
    }

    /** A task's first column. */
    int firstColumn(int task) {
        return tileIndex(task) * tile;
    }

    /** A task's column count. */
    int columnCount(int task) {
        return Math.min(tile, columns - firstColumn(task));
    }

    /** A task's first output channel within its group. */
    int firstChannel(int task) {
        return task % chunks() * chunk;
    }

    /** A task's output channel count. */
    int channelCount(int task) {
        return Math.min(chunk, channels - firstChannel(task));
    }
}
