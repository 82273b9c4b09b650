package dev.cask.core;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread that forces the active segment in the background: every MS under the
 * {@code interval:MS} policy, and whenever the writer asks, which it does after every few MiB of
 * appends under any policy. The second keeps dirty data from piling up: rotation forces the old
 * segment under the write lock, and a whole 64 MiB segment's worth took 60 to 140 ms there, a
 * stall for every writer.
 */
final class BackgroundSyncer {
    private final Thread thread;
    private final long intervalNanos;
    private volatile boolean running = true;

    private BackgroundSyncer(long intervalMillis, Runnable sync, Path dir) {
        this.intervalNanos = intervalMillis * 1_000_000L;
        // never interrupted: an interrupt during a force would close the segment's channel under the writer
        thread = Thread.ofPlatform().daemon().name("cask-sync " + dir.getFileName()).unstarted(() -> {
            while (running) {
                if (intervalNanos > 0) LockSupport.parkNanos(intervalNanos);
                else LockSupport.park();
                if (running) sync.run();
            }
        });
    }

    /** Starts the thread; {@code intervalMillis} 0 means it forces only when asked. */
    static BackgroundSyncer start(long intervalMillis, Runnable sync, Path dir) {
        BackgroundSyncer syncer = new BackgroundSyncer(intervalMillis, sync, dir);
        syncer.thread.start();
        return syncer;
    }

    /** Asks for a force soon; asks made while one runs are served by the next. */
    void request() {
        LockSupport.unpark(thread);
    }

    void stop() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
