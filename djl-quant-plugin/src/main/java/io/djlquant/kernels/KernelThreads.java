package io.djlquant.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Runs independent tasks on a shared ForkJoinPool. Kernels split work into tasks whose boundaries
 * never depend on the thread count, and each output element is computed by exactly one task with
 * the same arithmetic, so results are identical for any thread count.
 */
final class KernelThreads {

    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static ForkJoinPool pool;

    private KernelThreads() {}

    static int get() {
        return threads;
    }

    static void set(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        }
        threads = n;
    }

    /** Calls {@code body.accept(t)} for every {@code t < tasks}, possibly in parallel. */
    static void run(int tasks, IntConsumer body) {
        int t = threads;
        if (t <= 1 || tasks <= 1) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        pool(t).invoke(new Range(body, 0, tasks));
    }

    private static synchronized ForkJoinPool pool(int t) {
        if (pool == null || pool.getParallelism() != t) {
            ForkJoinPool old = pool;
            pool = new ForkJoinPool(t);
            if (old != null) {
                old.shutdown(); // running work still completes
            }
        }
        return pool;
    }

    private static final class Range extends RecursiveAction {
        private final transient IntConsumer body;
        private final int lo;
        private final int hi;

        Range(IntConsumer body, int lo, int hi) {
            this.body = body;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.accept(lo);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Range(body, lo, mid), new Range(body, mid, hi));
        }
    }
}
