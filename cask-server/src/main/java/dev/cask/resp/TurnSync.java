package dev.cask.resp;

import dev.cask.core.Cask;

/**
 * Group commit for the event loop: the loop asks for a sync at the end of a turn that wrote, and
 * this thread ("cask-sync") runs it, so the loop never waits on a force; it keeps reading and
 * answering reads meanwhile. When the sync returns, the loop is woken and releases the replies
 * held for that turn (and for every turn before it: one force covers them all). Turns that asked
 * while a force ran share the next one. A failed force is never retried: it is reported, and the
 * engine refuses further writes.
 */
final class TurnSync implements AutoCloseable {
    private final Cask cask;
    private final Runnable wakeLoop;
    private final Thread thread;
    private long requested;
    private boolean stopping;
    private volatile long completed;
    private volatile Throwable failure;

    TurnSync(Cask cask, Runnable wakeLoop) {
        this.cask = cask;
        this.wakeLoop = wakeLoop;
        this.thread = Thread.ofPlatform().name("cask-sync").daemon().start(this::run);
    }

    /** Asks for a sync that covers everything written so far, known from then on as turn {@code turn}. */
    synchronized void request(long turn) {
        if (turn > requested) {
            requested = turn;
            notifyAll();
        }
    }

    /** The last turn whose writes a finished force covered. */
    long completed() {
        return completed;
    }

    /** The failure of a force, if one failed; every later turn fails too. */
    Throwable failure() {
        return failure;
    }

    private void run() {
        while (true) {
            long turn;
            synchronized (this) {
                while (requested <= completed && !stopping) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (requested <= completed) return;
                turn = requested;
            }
            try {
                cask.sync();
                completed = turn;
            } catch (RuntimeException e) {
                failure = e;
                wakeLoop.run();
                return;
            }
            wakeLoop.run();
        }
    }

    /** Runs what is asked for, then stops the thread. */
    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
