package dev.cask.resp;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The clients parked by BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN and BZPOPMAX: which
 * collection keys each waits for, in the order they came (the first to block is the first served,
 * as in Redis), and until when. A write of a waited-for collection's metadata marks the key ready;
 * the handler then re-runs the waiters' commands after the command that wrote. Loop thread only.
 */
final class Blocking {
    /** One parked command: its client, its arguments, the stored metadata keys it waits for, and its deadline (0 = none). */
    static final class Waiter {
        final Session session;
        final CommandSpec spec;
        final List<byte[]> args;
        final List<ByteBuffer> keys;
        final long deadlineNanos;
        final long order;

        Waiter(Session session, CommandSpec spec, List<byte[]> args, List<ByteBuffer> keys, long deadlineNanos, long order) {
            this.session = session;
            this.spec = spec;
            this.args = args;
            this.keys = keys;
            this.deadlineNanos = deadlineNanos;
            this.order = order;
        }
    }

    private final Map<ByteBuffer, ArrayDeque<Waiter>> byKey = new HashMap<>();
    private final PriorityQueue<Waiter> byDeadline = new PriorityQueue<>((a, b) -> {
        int c = Long.compare(a.deadlineNanos - b.deadlineNanos, 0); // nanoTime values compare by difference
        return c != 0 ? c : Long.compare(a.order, b.order);
    });
    private final LinkedHashSet<ByteBuffer> ready = new LinkedHashSet<>();
    private long parked;
    private long nextOrder;

    /** Parks {@code session} until a write to one of {@code keys} serves it or {@code deadlineNanos} passes (0: never). */
    Waiter park(Session session, CommandSpec spec, List<byte[]> args, List<ByteBuffer> keys, long deadlineNanos) {
        Waiter w = new Waiter(session, spec, args, keys, deadlineNanos, nextOrder++);
        for (ByteBuffer key : keys) byKey.computeIfAbsent(key, k -> new ArrayDeque<>()).add(w);
        if (deadlineNanos != 0) byDeadline.add(w);
        session.blocked = w;
        parked++;
        return w;
    }

    /** Takes {@code w} off every list (served, timed out, or its client gone). */
    void unpark(Waiter w) {
        if (w.session.blocked != w) return;
        w.session.blocked = null;
        parked--;
        for (ByteBuffer key : w.keys) {
            ArrayDeque<Waiter> q = byKey.get(key);
            if (q == null) continue;
            q.remove(w);
            if (q.isEmpty()) byKey.remove(key);
        }
        if (w.deadlineNanos != 0) byDeadline.remove(w);
    }

    /** A write put the metadata of collection {@code metaKey}: its waiters, if any, get a try after the command. */
    void written(byte[] metaKey) {
        ByteBuffer key = ByteBuffer.wrap(metaKey);
        if (byKey.containsKey(key)) ready.add(key);
    }

    boolean anyone() {
        return parked > 0;
    }

    boolean hasReady() {
        return !ready.isEmpty();
    }

    /** The next key marked ready, taken off the ready set; null when none. */
    ByteBuffer nextReady() {
        if (ready.isEmpty()) return null;
        var it = ready.iterator();
        ByteBuffer key = it.next();
        it.remove();
        return key;
    }

    /** Who waits for {@code key}, first parked first (a copy: serving one changes the lists). */
    List<Waiter> waitersOf(ByteBuffer key) {
        ArrayDeque<Waiter> q = byKey.get(key);
        return q == null ? List.of() : new ArrayList<>(q);
    }

    /** The waiters whose deadline passed at {@code nowNanos}, taken off every list. */
    List<Waiter> expired(long nowNanos) {
        List<Waiter> out = null;
        while (!byDeadline.isEmpty() && byDeadline.peek().deadlineNanos - nowNanos <= 0) {
            Waiter w = byDeadline.peek();
            unpark(w);
            if (out == null) out = new ArrayList<>();
            out.add(w);
        }
        return out == null ? List.of() : out;
    }

    /** Milliseconds until the nearest deadline (rounded up), or {@link Integer#MAX_VALUE} when nobody waits with one. */
    int millisToNextDeadline(long nowNanos) {
        if (byDeadline.isEmpty()) return Integer.MAX_VALUE;
        long nanos = byDeadline.peek().deadlineNanos - nowNanos;
        return nanos <= 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000);
    }

    /** Clients parked now (INFO's {@code blocked_clients}). */
    long parked() {
        return parked;
    }
}
