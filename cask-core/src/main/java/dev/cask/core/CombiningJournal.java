package dev.cask.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Durable writes from many threads, combined (as BookKeeper's journal thread and LevelDB's writer
 * queue do): a writer queues its append and parks once; one leader takes the write lock once for
 * everything queued, appends it in queue order, forces once, and wakes the group. Without it each
 * writer took the write lock itself and then waited for a force: with 64 writers on 2 cores, the
 * lock's queue parked writers for up to a second while others barged past, and each writer could
 * park twice per put.
 *
 * <p>When the leader's own write is done it hands the lead to the oldest queued writer, so no
 * thread leads for long. Each append runs under the write lock exactly as an uncombined one (the
 * same checks, the same rotation, the same failure state), and fails alone: one put refused for
 * space does not fail the others of its group. A failed force fails the whole group.
 */
final class CombiningJournal {
    /** One queued write: the append to run under the write lock, and what came of it. */
    interface Append {
        /** Appends and applies one write (the caller holds the write lock); returns the log position to force to, or -1. */
        long run();
    }

    private static final class Request {
        final Thread thread = Thread.currentThread();
        final Append append;
        volatile boolean done;
        volatile boolean lead;
        RuntimeException failure; // written before done is set, read after it is seen

        Request(Append append) {
            this.append = append;
        }
    }

    /** At most this many writes per group: one lock hold stays short for the deletes and batches that take it directly. */
    private static final int MAX_GROUP = 256;

    /** How long a leader whose own write is done goes on leading while writers queue. */
    private static final long EXTRA_LEAD_NANOS = 1_000_000;

    private final ActiveLog log;
    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean leading = new AtomicBoolean();

    CombiningJournal(ActiveLog log) {
        this.log = log;
    }

    /** Runs {@code append} under the write lock and returns once it is durable; throws what it threw, or the force's failure. */
    void write(Append append) {
        Request request = new Request(append);
        queue.add(request);
        boolean interrupted = false;
        while (!request.done) {
            if (request.lead || leading.compareAndSet(false, true)) {
                request.lead = false;
                lead(request);
                continue;
            }
            LockSupport.park(this);
            if (Thread.interrupted()) interrupted = true; // a durable write is not abandoned half way: kept for the caller
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (request.failure != null) throw request.failure;
    }

    /**
     * Leads rounds until {@code own} is done, and then on while writers keep queueing, for up to
     * {@link #EXTRA_LEAD_NANOS}: the leader is running, and a writer handed the lead must first be
     * scheduled (with 64 writers on 2 cores, that wait stalled every writer for milliseconds).
     * Then it hands the lead on, or lets it go if nobody waits.
     */
    private void lead(Request own) {
        long until = Long.MAX_VALUE;
        while (true) {
            if (own.done) {
                if (until == Long.MAX_VALUE) until = System.nanoTime() + EXTRA_LEAD_NANOS;
                if (queue.isEmpty() || System.nanoTime() >= until) break;
            }
            List<Request> group = new ArrayList<>();
            for (Request r; group.size() < MAX_GROUP && (r = queue.poll()) != null; ) group.add(r);
            round(group);
        }
        handOff();
    }

    /** Appends the group under one hold of the write lock, forces once, and wakes every writer in it. */
    private void round(List<Request> group) {
        long lsn = -1;
        log.lock();
        try {
            for (Request r : group) {
                try {
                    lsn = Math.max(lsn, r.append.run());
                } catch (RuntimeException e) {
                    r.failure = e;
                }
            }
        } catch (Error e) { // the lock and the other writers must not be lost with it
            for (Request r : group) if (r.failure == null) r.failure = new IllegalStateException("write failed: " + e, e);
        } finally {
            log.writeLock().unlock();
        }
        if (lsn >= 0) {
            try {
                log.awaitDurable(lsn);
            } catch (RuntimeException e) {
                for (Request r : group) if (r.failure == null) r.failure = e;
            }
        }
        Thread self = Thread.currentThread();
        for (Request r : group) {
            r.done = true;
            if (r.thread != self) LockSupport.unpark(r.thread);
        }
    }

    /** Passes the lead to the oldest queued writer, or releases it; a writer that queued meanwhile is never left parked. */
    private void handOff() {
        while (true) {
            Request next = queue.peek();
            if (next != null) {
                next.lead = true; // leading stays set: the lead passes to it
                LockSupport.unpark(next.thread);
                return;
            }
            leading.set(false);
            // a writer that queued before this and found the lead taken is parked: take the lead back to wake it
            if (queue.isEmpty() || !leading.compareAndSet(false, true)) return;
        }
    }
}
