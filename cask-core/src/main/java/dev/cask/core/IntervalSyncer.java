package dev.cask.core;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/** The background thread of the {@code interval:MS} policy: forces the active segment every MS. */
final class IntervalSyncer {
    private final Thread thread;
    private volatile boolean running = true;

    private IntervalSyncer(long millis, Runnable sync, Path dir) {
        thread = Thread.ofPlatform().daemon().name("cask-sync " + dir.getFileName()).unstarted(() -> {
            while (running) {
                LockSupport.parkNanos(millis * 1_000_000L);
                if (running) sync.run();
            }
        });
    }

    static IntervalSyncer start(long millis, Runnable sync, Path dir) {
        IntervalSyncer syncer = new IntervalSyncer(millis, sync, dir);
        syncer.thread.start();
        return syncer;
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
