package io.djlquant.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this process in nanoseconds: the sum over its threads, native ones included
 * (PyTorch's OpenMP workers are not Java threads), of the run time in {@code
 * /proc/self/task/<tid>/schedstat}. {@code OperatingSystemMXBean.getProcessCpuTime()} counts in 10
 * ms ticks here, too coarse for a pass of a few milliseconds. On a shared machine the CPU time of a
 * pass is what it costs whatever else runs; the wall time is what a caller waits.
 */
final class ProcessCpu {

    private static final Path TASKS = Path.of("/proc/self/task");

    private ProcessCpu() {}

    /** True if the per-thread counters can be read (Linux with schedstat). */
    static boolean available() {
        return nanos() >= 0;
    }

    /** Nanoseconds of CPU used so far by the threads alive now, or -1 if unknown. */
    static long nanos() {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path t : tasks) {
                String s;
                try {
                    s = Files.readString(t.resolve("schedstat"));
                } catch (IOException e) {
                    continue; // the thread ended since the listing
                }
                int space = s.indexOf(' ');
                sum += Long.parseLong(space < 0 ? s.trim() : s.substring(0, space));
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return sum;
    }
}
