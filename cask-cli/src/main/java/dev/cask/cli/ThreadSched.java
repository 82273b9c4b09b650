package dev.cask.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling thread's scheduler counters from /proc/thread-self: how long it waited on a run queue
 * and how often it was switched out against its will. They tell a thread slowed by competing for a
 * CPU from one slowed inside its own calls. Zeros where /proc is not there.
 */
record ThreadSched(long nanos, long cpuNanos, long runQueueWaitNanos, long involuntarySwitches, long voluntarySwitches) {
    static ThreadSched read() {
        long now = System.nanoTime();
        try {
            String[] sched = Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split("\\s+");
            long involuntary = 0;
            long voluntary = 0;
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
                if (line.startsWith("nonvoluntary_ctxt_switches:")) involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                else if (line.startsWith("voluntary_ctxt_switches:")) voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
            return new ThreadSched(now, Long.parseLong(sched[0]), Long.parseLong(sched[1]), involuntary, voluntary);
        } catch (IOException | RuntimeException e) {
            return new ThreadSched(now, 0, 0, 0, 0);
        }
    }

    /** {wall seconds, CPU share, run-queue wait share, involuntary switches per second, voluntary per second} since {@code before}. */
    double[] since(ThreadSched before) {
        double wall = (nanos - before.nanos) / 1e9;
        return new double[] {BenchSupport.round(wall, 3),
                BenchSupport.round((cpuNanos - before.cpuNanos) / 1e9 / wall, 3),
                BenchSupport.round((runQueueWaitNanos - before.runQueueWaitNanos) / 1e9 / wall, 4),
                BenchSupport.round((involuntarySwitches - before.involuntarySwitches) / wall, 1),
                BenchSupport.round((voluntarySwitches - before.voluntarySwitches) / wall, 1)};
    }

    static String describe(double[] s) {
        return String.format("%.1fs cpu %.0f%% runqueue %.2f%% involuntary %.0f/s voluntary %.0f/s", s[0], s[1] * 100, s[2] * 100, s[3], s[4]);
    }
}
