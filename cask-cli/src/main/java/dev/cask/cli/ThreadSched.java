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

    /** What happened since {@code before}: wall time, CPU share, run-queue wait share, switches per second. */
    String describeSince(ThreadSched before) {
        double wall = (nanos - before.nanos) / 1e9;
        return String.format("%.1fs cpu %.0f%% runqueue %.2f%% involuntary %.0f/s voluntary %.0f/s", wall,
                (cpuNanos - before.cpuNanos) / 1e7 / wall, (runQueueWaitNanos - before.runQueueWaitNanos) / 1e7 / wall,
                (involuntarySwitches - before.involuntarySwitches) / wall, (voluntarySwitches - before.voluntarySwitches) / wall);
    }
}
