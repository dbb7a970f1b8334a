package io.djlquant.kernels;

import java.util.function.IntConsumer;

/**
 * Runs independent tasks on the calling thread plus a {@link KernelTeam} of workers. Kernels split
 * work into tasks whose boundaries never depend on the thread count, and each output element is
 * computed by exactly one task with the same arithmetic, so results are identical for any thread
 * count (and when a busy team makes a caller run its tasks alone).
 */
final class KernelThreads {

    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static KernelTeam team;

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
        if (t <= 1 || tasks <= 1 || !team(t).tryRun(tasks, body)) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
        }
    }

    private static synchronized KernelTeam team(int t) {
        if (team == null || team.size() != t) {
            KernelTeam old = team;
            team = new KernelTeam(t);
            if (old != null) {
                old.shutdown(); // a job still running on it completes
            }
        }
        return team;
    }
}
