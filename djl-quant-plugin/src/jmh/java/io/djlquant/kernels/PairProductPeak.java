package io.djlquant.kernels;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machine's attainable rate for the instruction mix the dense convolutions use: the pair
 * product ({@link Int8Impl#gemmPairs}, 16-bit multiplies of packed int8 pairs) of the selected
 * implementation on one small tile whose operands stay in cache (32 output channels, 64 reduction
 * pairs, 128 columns), repeated on {@code threads} threads at once. A layer's GMAC/s over this is
 * how much of what the product can do the layer keeps (the rest goes to gathering, requantization,
 * memory, threads waiting, tails).
 */
public final class PairProductPeak {

    private static final int ROWS = 32;
    private static final int PAIRS = 64;
    private static final int COLUMNS = 128;

    private PairProductPeak() {}

    /**
     * Measures the peak.
     *
     * @param threads threads multiplying at the same time, each on its own tile
     * @param seconds how long they multiply (after an untimed third of that for the JIT)
     * @return multiply-adds per nanosecond of all threads together (GMAC/s)
     */
    public static double gmacPerSecond(int threads, double seconds) throws InterruptedException {
        run(threads, seconds / 3);
        return run(threads, seconds);
    }

    private static double run(int threads, double seconds) throws InterruptedException {
        Int8Impl impl = Int8Kernels.impl();
        AtomicLong calls = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        long nanos = (long) (seconds * 1e9);
        Thread[] workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            Tile tile = new Tile(i);
            workers[i] =
                    new Thread(
                            () -> {
                                try {
                                    start.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    return;
                                }
                                long end = System.nanoTime() + nanos;
                                long done = 0;
                                while (System.nanoTime() < end) {
                                    for (int r = 0; r < 64; r++) {
                                        tile.multiply(impl);
                                    }
                                    done += 64;
                                }
                                calls.addAndGet(done);
                            },
                            "pair-product-peak-" + i);
            workers[i].start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = System.nanoTime() - t0;
        return (double) calls.get() * ROWS * 2 * PAIRS * COLUMNS / elapsed;
    }

    /** One thread's operands: packed weight pairs, activation pairs, row offsets, accumulators. */
    private static final class Tile {
        final int[] w = new int[ROWS * PAIRS];
        final int[] col = new int[PAIRS * COLUMNS];
        final int[] rowOff = new int[PAIRS];
        final int[] acc = new int[ROWS * COLUMNS];

        Tile(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < w.length; i++) {
                // low half: weight + 128 in [0, 255]; high half: the signed weight
                w[i] = r.nextInt(256) | (r.nextInt(256) - 128) << 16;
            }
            for (int i = 0; i < col.length; i++) {
                col[i] = r.nextInt(256) | r.nextInt(256) << 16; // two unsigned bytes
            }
            for (int t = 0; t < PAIRS; t++) {
                rowOff[t] = t * COLUMNS;
            }
        }

        void multiply(Int8Impl impl) {
            impl.gemmPairs(w, 0, ROWS, PAIRS, col, rowOff, COLUMNS, acc);
        }
    }
}
