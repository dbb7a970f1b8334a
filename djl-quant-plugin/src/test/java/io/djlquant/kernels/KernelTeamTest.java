package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker team behind {@link KernelThreads}: every task exactly once, failures, busy teams. */
class KernelTeamTest {

    private final List<KernelTeam> teams = new ArrayList<>();

    @AfterEach
    void shutdown() {
        teams.forEach(KernelTeam::shutdown);
    }

    private KernelTeam team(int size) {
        KernelTeam t = new KernelTeam(size);
        teams.add(t);
        return t;
    }

    @Test
    void runsEveryTaskExactlyOnceOverManyJobs() throws InterruptedException {
        KernelTeam team = team(3);
        for (int job = 0; job < 2000; job++) {
            int tasks = 1 + job % 37;
            AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
            assertTrue(team.tryRun(tasks, runs::incrementAndGet));
            for (int t = 0; t < tasks; t++) {
                assertEquals(1, runs.get(t), "job " + job + " task " + t);
            }
            if (job % 500 == 499) {
                Thread.sleep(5); // longer than the spin: workers park and must be woken
            }
        }
    }

    @Test
    void aWorkerTakesTheTaskTheCallerCannot() throws InterruptedException {
        KernelTeam team = team(2);
        Thread.sleep(20); // the worker is parked: the job must wake it
        Set<String> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch both = new CountDownLatch(2);
        // Each task waits for the other to start, so the caller alone cannot finish the job in
        // time:
        // the second task has to run on the worker.
        assertTrue(
                team.tryRun(
                        2,
                        t -> {
                            threads.add(Thread.currentThread().getName());
                            both.countDown();
                            try {
                                both.await(10, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }));
        assertEquals(2, threads.size(), threads.toString());
        assertTrue(
                threads.stream().anyMatch(n -> n.startsWith("djlquant-kernel-")),
                threads.toString());
    }

    @Test
    void rethrowsTheFirstFailureAfterTheOtherTasksFinished() {
        KernelTeam team = team(2);
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicIntegerArray runs = new AtomicIntegerArray(64);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                team.tryRun(
                                        64,
                                        t -> {
                                            runs.incrementAndGet(t);
                                            if (t == 3) {
                                                throw boom;
                                            }
                                        }));
        assertSame(boom, e);
        // The team is free again and works.
        AtomicIntegerArray again = new AtomicIntegerArray(8);
        assertTrue(team.tryRun(8, again::incrementAndGet));
        for (int t = 0; t < 8; t++) {
            assertEquals(1, again.get(t));
        }
    }

    @Test
    void aBusyTeamRefusesSoTheCallerRunsAlone() throws Exception {
        KernelTeam team = team(2);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder =
                new Thread(
                        () ->
                                team.tryRun(
                                        2,
                                        t -> {
                                            if (t == 0) {
                                                inside.countDown();
                                                try {
                                                    release.await();
                                                } catch (InterruptedException e) {
                                                    Thread.currentThread().interrupt();
                                                }
                                            }
                                        }));
        holder.start();
        assertTrue(inside.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertFalse(team.tryRun(4, t -> {}), "a second job while the first runs");
        release.countDown();
        holder.join(10_000);
        assertTrue(team.tryRun(4, t -> {}));
    }

    @Test
    void nestedRunsFromTasksCompleteOnTheirThread() {
        int saved = KernelThreads.get();
        try {
            KernelThreads.set(2);
            AtomicIntegerArray inner = new AtomicIntegerArray(4 * 5);
            KernelThreads.run(
                    4, outer -> KernelThreads.run(5, t -> inner.incrementAndGet(outer * 5 + t)));
            for (int i = 0; i < inner.length(); i++) {
                assertEquals(1, inner.get(i));
            }
        } finally {
            KernelThreads.set(saved);
        }
    }

    @Test
    void aShutDownTeamRefusesAndItsWorkersExit() throws InterruptedException {
        KernelTeam team = team(3);
        assertTrue(team.tryRun(2, t -> {}));
        assertTrue(team.workersAlive());
        team.shutdown();
        assertFalse(team.tryRun(2, t -> {}));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (team.workersAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(team.workersAlive(), "workers still running 10 s after shutdown");
    }

    @Test
    void anInterruptedIdleWorkerParksAgainInsteadOfSpinning() throws InterruptedException {
        KernelTeam team = team(2);
        assertTrue(team.tryRun(2, t -> {}));
        Thread worker = team.workers()[0];
        Thread.sleep(50); // past the spin: parked
        worker.interrupt();
        Thread.sleep(50); // woken by the interrupt, spun again, parked again
        java.lang.management.ThreadMXBean mx =
                java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getThreadCpuTime(worker.getId());
        Thread.sleep(300);
        long used = mx.getThreadCpuTime(worker.getId()) - before;
        // A worker whose interrupt flag stayed set would return from park at once, forever: ~300
        // ms.
        assertTrue(
                used < 60_000_000L,
                "idle worker used " + used / 1_000_000 + " ms of CPU in 300 ms");
        AtomicIntegerArray runs = new AtomicIntegerArray(8);
        assertTrue(team.tryRun(8, runs::incrementAndGet));
        for (int t = 0; t < 8; t++) {
            assertEquals(1, runs.get(t));
        }
    }

    @Test
    void rejectsTeamsOfOne() {
        assertThrows(IllegalArgumentException.class, () -> new KernelTeam(1));
    }
}
