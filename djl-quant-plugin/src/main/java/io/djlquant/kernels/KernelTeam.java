package io.djlquant.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of worker threads for {@link KernelThreads}: the calling thread works on its own job
 * together with {@code size - 1} daemon workers, which take tasks from a shared counter. After a
 * job the workers spin for {@link #SPIN_NANOS} before they park, because one forward pass hands the
 * team a job every few hundred microseconds (one per layer and phase): waking a parked thread costs
 * tens of microseconds each time, and a ForkJoinPool (which parks at once and leaves the caller
 * idle) measured 1.24x on 2 threads for ResNet18 where the layers alone scale better. One job at a
 * time: a caller that finds the team busy (another predictor thread, or a task that itself calls
 * {@link KernelThreads#run}) runs its tasks on its own thread, which gives the same bytes.
 */
final class KernelTeam {

    /** How long an idle worker keeps looking for the next job before it parks (about 2 ms). */
    static final long SPIN_NANOS = 2_000_000L;

    private final int size;
    private final Thread[] workers;

    /**
     * Which worker is parked (or about to park); read by the submitter to decide whom to unpark.
     */
    private final AtomicBoolean[] parked;

    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job current;
    private volatile boolean shutdown;

    KernelTeam(int size) {
        if (size < 2) {
            throw new IllegalArgumentException("a team needs at least 2 threads, got " + size);
        }
        this.size = size;
        this.workers = new Thread[size - 1];
        this.parked = new AtomicBoolean[size - 1];
        for (int i = 0; i < workers.length; i++) {
            parked[i] = new AtomicBoolean();
            int id = i;
            Thread t = new Thread(() -> workLoop(id), "djlquant-kernel-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
        }
        for (Thread t : workers) {
            t.start();
        }
    }

    /** Threads working on a job, the caller included. */
    int size() {
        return size;
    }

    /**
     * Runs {@code body.accept(t)} for every {@code t < tasks} with the team, returning when all are
     * done; rethrows the first failure of any task.
     *
     * @return false (having run nothing) when the team is busy or shut down: the caller runs alone
     */
    boolean tryRun(int tasks, IntConsumer body) {
        if (shutdown || !busy.compareAndSet(false, true)) {
            return false;
        }
        try {
            Job job = new Job(tasks, body);
            current = job;
            for (int i = 0; i < workers.length; i++) {
                if (parked[i].get()) {
                    LockSupport.unpark(workers[i]);
                }
            }
            job.work();
            job.awaitDone();
            current = null;
            job.rethrow();
            return true;
        } finally {
            busy.set(false);
        }
    }

    /** Lets the workers finish their current task and exit; jobs already started still complete. */
    void shutdown() {
        shutdown = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }

    /** The worker threads (a copy of the array), for tests. */
    Thread[] workers() {
        return workers.clone();
    }

    /** Whether any worker thread is still running (they exit soon after {@link #shutdown}). */
    boolean workersAlive() {
        for (Thread t : workers) {
            if (t.isAlive()) {
                return true;
            }
        }
        return false;
    }

    private void workLoop(int id) {
        Job last = null;
        while (!shutdown) {
            Job job = current;
            if (job != null && job != last) {
                last = job;
                job.work();
                continue;
            }
            long start = System.nanoTime();
            while (current == job && !shutdown && System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            }
            if (current != job || shutdown) {
                continue;
            }
            // Announce the park, then look once more: the submitter writes current before it reads
            // parked, so either it sees the flag and unparks, or this thread sees the new job.
            parked[id].set(true);
            if (current == job && !shutdown) {
                LockSupport.park(this);
                // Nobody should interrupt a worker, but a stray interrupt must not make park return
                // at once forever after.
                Thread.interrupted();
            }
            parked[id].set(false);
        }
    }

    /** One call of {@link #tryRun}: tasks are claimed from a counter, so each runs exactly once. */
    private static final class Job {
        private final int tasks;
        private final IntConsumer body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int tasks, IntConsumer body) {
            this.tasks = tasks;
            this.body = body;
        }

        void work() {
            for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                try {
                    if (failure.get() == null) {
                        body.accept(t);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        /**
         * Waits for the tasks other threads claimed; they are short, so spin, yielding now and
         * then.
         */
        void awaitDone() {
            for (int spins = 0; done.get() < tasks; spins++) {
                if ((spins & 1023) == 1023) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        }

        void rethrow() {
            Throwable e = failure.get();
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            if (e instanceof Error) {
                throw (Error) e;
            }
            if (e != null) {
                throw new IllegalStateException("kernel task failed", e);
            }
        }
    }
}
