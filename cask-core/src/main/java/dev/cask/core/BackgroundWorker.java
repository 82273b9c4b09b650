package dev.cask.core;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The database's one background thread: hint files for newly sealed segments, and automatic
 * merges. Tasks run one at a time in submission order; a failing task is reported, not fatal
 * (a missing hint only means that segment is scanned at the next open).
 */
final class BackgroundWorker {
    private final ExecutorService executor;
    private volatile Consumer<Throwable> onFailure = t -> {};

    BackgroundWorker(String name) {
        this.executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name(name).unstarted(r));
    }

    void onFailure(Consumer<Throwable> handler) {
        onFailure = handler;
    }

    void submit(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    onFailure.accept(t);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // the database is closing: the task is not needed any more
        }
    }

    /** Runs what is queued (tasks check whether the database is closing and skip what is optional), then stops. */
    void stop() {
        executor.shutdown();
        try {
            while (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                // a merge is still finishing: closing waits for it rather than leave it half done
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until every task submitted so far has run (for tests and tools that need hints written). */
    void drain() {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        submit(done::countDown);
        try {
            done.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
