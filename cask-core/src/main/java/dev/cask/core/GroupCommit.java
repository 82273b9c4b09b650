package dev.cask.core;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Many writers, one force. A writer that needs its bytes durable waits here; the first one to
 * arrive while no force runs becomes the leader and forces everything written so far. When the
 * force returns, the leader wakes exactly the waiters it covered, and hands the lead to the oldest
 * waiter it did not cover, which forces next at once. So each writer parks at most once and is
 * woken once: no waiter is woken only to find its bytes not yet covered and park again (with a
 * condition's signalAll, 64 writers on 2 cores spent more time in those wake-ups than in forces).
 * A failed force fails every waiter and every later one: it is never retried.
 */
final class GroupCommit {
    /** Forces the log and returns the log position the force covered. */
    interface Force {
        long force() throws IOException;
    }

    /** A parked writer: what it waits for and, once woken, what it was told. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long lsn;
        /** Set under the lock before the unpark: covered, failed, or made the next leader. */
        volatile boolean woken;
        volatile boolean lead;
        volatile IOException failure;

        Waiter(long lsn) {
            this.lsn = lsn;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private long durable;
    private boolean forcing;
    private IOException failure;
    private long forces;

    GroupCommit(long durableLsn) {
        this.durable = durableLsn;
    }

    /** Returns once {@code lsn} is durable, forcing with {@code force} when no one else is. */
    void awaitDurable(long lsn, Force force) throws IOException {
        Waiter waiter;
        lock.lock();
        try {
            if (durable >= lsn) return; // covered by a force that succeeded: durable, whatever failed after it
            if (failure != null) throw failure;
            if (!forcing) {
                forcing = true;
                waiter = null;
            } else {
                waiter = new Waiter(lsn);
                waiters.add(waiter);
            }
        } finally {
            lock.unlock();
        }
        if (waiter != null) {
            park(waiter);
            if (waiter.failure != null) throw waiter.failure;
            if (!waiter.lead) return;
        }
        lead(lsn, force);
    }

    private static void park(Waiter waiter) {
        boolean interrupted = false;
        while (!waiter.woken) {
            LockSupport.park(waiter);
            if (Thread.interrupted()) interrupted = true; // a durable write is not abandoned half way: kept for the caller
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /**
     * Forces as the leader until {@code lsn} is durable (once, normally: the leader's bytes were
     * appended before it came here), then wakes the waiters that covered and hands the lead to the
     * oldest one it did not. A failed force fails everyone, the leader first.
     */
    private void lead(long lsn, Force force) throws IOException {
        while (true) {
            long reached = -1;
            IOException error = null;
            try {
                reached = force.force();
            } catch (IOException e) {
                error = e;
            } catch (RuntimeException | Error e) { // whatever it was, the force did not happen; the waiters must not hang
                error = new IOException("force failed: " + e, e);
            }
            List<Waiter> wake = new ArrayList<>();
            boolean covered;
            IOException failed;
            lock.lock();
            try {
                forces++;
                if (error != null) {
                    if (failure == null) failure = error;
                } else {
                    durable = Math.max(durable, reached);
                }
                covered = failure != null || durable >= lsn;
                failed = error != null ? error : durable >= lsn ? null : failure;
                if (covered) settle(wake);
                else wakeCovered(wake); // still leading: it forces again
            } finally {
                lock.unlock();
            }
            for (Waiter w : wake) LockSupport.unpark(w.thread);
            if (failed != null) throw failed;
            if (covered) return;
        }
    }

    /** Under the lock: removes the waiters the durable position covers and adds them to {@code wake}. */
    private void wakeCovered(List<Waiter> wake) {
        for (var it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.lsn <= durable) {
                it.remove();
                w.woken = true;
                wake.add(w);
            }
        }
    }

    /**
     * Under the lock: marks every waiter covered (or failed), and if some remain, the oldest as the
     * next leader; else no force runs. Fills {@code wake} with whom to unpark (after the lock).
     */
    private void settle(List<Waiter> wake) {
        if (failure != null) failAll(wake);
        else wakeCovered(wake);
        Waiter next = waiters.poll();
        if (next == null) {
            forcing = false;
        } else {
            next.lead = true; // forcing stays true: the lead passes to it
            next.woken = true;
            wake.add(next);
        }
    }

    /** Under the lock: fails every waiter with the failure and adds it to {@code wake}. */
    private void failAll(List<Waiter> wake) {
        for (Waiter w : waiters) {
            w.failure = failure;
            w.woken = true;
            wake.add(w);
        }
        waiters.clear();
    }

    /** Records that everything up to {@code lsn} was made durable by other means. */
    void advance(long lsn) {
        List<Waiter> wake = new ArrayList<>();
        lock.lock();
        try {
            durable = Math.max(durable, lsn);
            wakeCovered(wake); // waiters exist only while a force runs, whose leader hands on the lead
        } finally {
            lock.unlock();
        }
        for (Waiter w : wake) LockSupport.unpark(w.thread);
    }

    /** Records a failure seen by a force outside this class, so that every waiter fails. */
    void fail(IOException error) {
        List<Waiter> wake = new ArrayList<>();
        lock.lock();
        try {
            if (failure == null) failure = error;
            failAll(wake);
        } finally {
            lock.unlock();
        }
        for (Waiter w : wake) LockSupport.unpark(w.thread);
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
