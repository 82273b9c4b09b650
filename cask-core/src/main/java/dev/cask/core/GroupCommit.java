package dev.cask.core;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Many writers, one force. A writer that needs its bytes durable waits here; the first one to
 * arrive while no force runs becomes the leader and forces everything written so far, and every
 * waiter whose bytes that force covered is released. A failed force fails every waiter and every
 * later one: it is never retried.
 */
final class GroupCommit {
    /** Forces the log and returns the log position the force covered. */
    interface Force {
        long force() throws IOException;
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private long durable;
    private boolean forcing;
    private IOException failure;
    private long forces;

    GroupCommit(long durableLsn) {
        this.durable = durableLsn;
    }

    /** Returns once {@code lsn} is durable, forcing with {@code force} when no one else is. */
    void awaitDurable(long lsn, Force force) throws IOException {
        lock.lock();
        try {
            while (true) {
                if (durable >= lsn) return; // covered by a force that succeeded: durable, whatever failed after it
                if (failure != null) throw failure;
                if (forcing) {
                    progress.awaitUninterruptibly();
                    continue;
                }
                forcing = true;
                lock.unlock();
                long reached = -1;
                IOException error = null;
                try {
                    reached = force.force();
                } catch (IOException e) {
                    error = e;
                } finally {
                    lock.lock();
                    forcing = false;
                    forces++;
                    if (error != null) failure = error;
                    else durable = Math.max(durable, reached);
                    progress.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Records that everything up to {@code lsn} was made durable by other means. */
    void advance(long lsn) {
        lock.lock();
        try {
            durable = Math.max(durable, lsn);
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Records a failure seen by a force outside this class, so that every waiter fails. */
    void fail(IOException error) {
        lock.lock();
        try {
            if (failure == null) failure = error;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long durableLsn() {
        lock.lock();
        try {
            return durable;
        } finally {
            lock.unlock();
        }
    }

    long forceCount() {
        lock.lock();
        try {
            return forces;
        } finally {
            lock.unlock();
        }
    }
}
