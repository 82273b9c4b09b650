package dev.cask.lab.crash;

import dev.cask.core.SyncPolicy;
import dev.cask.lab.crash.RecordingLayer.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a database may open to after a crash at point k of a recording: the README's promise for
 * the policy, as a set of acknowledged states. A kill loses nothing acknowledged under any policy;
 * a power cut loses at most what the policy's bound allows:
 *
 * <ul>
 *   <li>{@code always}, {@code osync}, {@code odsync}, {@code every:1}: nothing acknowledged;</li>
 *   <li>{@code every:N}: at most the last N-1 acknowledged writes;</li>
 *   <li>{@code interval:MS}: writes acknowledged in the last MS ms, plus the time two forces take
 *       (the one running and the next), plus {@link #SCHEDULING_MS} for the thread to be scheduled;</li>
 *   <li>{@code none}: everything since the last {@code sync()}.</li>
 * </ul>
 *
 * Under every policy a {@code sync()} that returned makes everything acknowledged before it
 * durable. The state of a write in flight at the crash is allowed too (and of one the engine
 * refused after a failure since the last acknowledgement: its outcome is unknown), and so is every state
 * between the oldest allowed and the newest: the log is a prefix, never a selection.
 */
final class CrashOracle {
    static final long SCHEDULING_MS = 20;

    private final List<Op> ops;
    private final long[] times;
    private final SyncPolicy policy;
    private final long intervalSlackNanos;

    CrashOracle(List<Op> ops, long[] times, SyncPolicy policy) {
        this.ops = ops;
        this.times = times;
        this.policy = policy;
        long longestForce = 0;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof Op.Force f && f.coversBefore() < times.length) longestForce = Math.max(longestForce, times[i] - times[f.coversBefore()]);
        }
        this.intervalSlackNanos = 2 * longestForce + SCHEDULING_MS * 1_000_000;
    }

    /** The bound this oracle holds the interval policy to, in ms (for reports). */
    double intervalBoundMillis() {
        return policy instanceof SyncPolicy.Interval i ? i.millis() + intervalSlackNanos / 1e6 : 0;
    }

    /** The acknowledged states allowed after a crash at k: a kill keeps everything, a power cut what the policy promises. */
    List<Map<String, String>> allowed(int k, boolean powerCut) {
        List<Map<String, String>> states = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        states.add(Map.of());
        at.add(-1);
        int durable = 0; // index into states of the oldest state that must survive
        int writes = 0;
        List<Integer> writeStates = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            switch (ops.get(i)) {
                case Op.Ack a -> {
                    states.add(a.state());
                    at.add(i);
                    if (a.write()) {
                        writes++;
                        writeStates.add(states.size() - 1);
                    }
                    if (!powerCut || policy.durableOnAck()) durable = states.size() - 1;
                }
                case Op.Synced s -> durable = states.size() - 1;
                default -> { }
            }
        }
        if (powerCut && policy instanceof SyncPolicy.EveryWrites e && writes >= e.writes()) {
            durable = Math.max(durable, writeStates.get(writes - e.writes()));
        }
        if (powerCut && policy instanceof SyncPolicy.Interval interval && k > 0) {
            long crashAt = times[k - 1];
            long olderThan = crashAt - interval.millis() * 1_000_000 - intervalSlackNanos;
            for (int s = states.size() - 1; s > durable; s--) {
                if (at.get(s) >= 0 && times[at.get(s)] <= olderThan) {
                    durable = s;
                    break;
                }
            }
        }
        List<Map<String, String>> out = new ArrayList<>(states.subList(durable, states.size()));
        for (int i = at.getLast() + 1; i < k; i++) if (ops.get(i) instanceof Op.Attempt a) out.add(a.state()); // refused: fate unknown
        Map<String, String> inFlight = inFlight(k);
        if (inFlight != null) out.add(inFlight);
        return out;
    }

    /**
     * Every state the database held up to the write in flight at k: what a crash that garbled a
     * durable sector may open to. It may lose recent writes, never open to a value never written.
     */
    List<Map<String, String>> everHeld(int k) {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(Map.of());
        for (int i = 0; i < k; i++) {
            if (ops.get(i) instanceof Op.Ack a) out.add(a.state());
            else if (ops.get(i) instanceof Op.Attempt a) out.add(a.state());
        }
        Map<String, String> inFlight = inFlight(k);
        if (inFlight != null) out.add(inFlight);
        return out;
    }

    /** The state of the write in flight at k (acknowledged later, or refused later), or null if none follows. */
    private Map<String, String> inFlight(int k) {
        for (int i = k; i < ops.size(); i++) {
            if (ops.get(i) instanceof Op.Ack a) return a.state();
            if (ops.get(i) instanceof Op.Attempt a) return a.state();
        }
        return null;
    }

    /** For concurrent writers: every value each key was ever set to before k, or absent. */
    static Map<String, Set<String>> everHeldPerKey(List<Op> ops, int k) {
        Map<String, Set<String>> out = new HashMap<>();
        for (int i = 0; i < k; i++) {
            if (ops.get(i) instanceof Op.KeyBegin b) out.computeIfAbsent(b.key(), key -> new HashSet<>(java.util.Collections.singleton(null))).add(b.value());
        }
        return out;
    }

    /** How many acknowledged writes a state that opened to {@code actual} after a crash at k lost (0 if it is the newest, or in flight). */
    int acknowledgedWritesLost(int k, Map<String, String> actual) {
        if (actual.equals(inFlight(k))) return 0; // the write in flight
        int writesAfter = 0;
        for (int i = k - 1; i >= 0; i--) {
            Op op = ops.get(i);
            // a refused write since the last acknowledgement: nothing acknowledged is missing
            if (op instanceof Op.Attempt a && writesAfter == 0 && a.state().equals(actual)) return 0;
            if (op instanceof Op.Ack a) {
                if (a.state().equals(actual)) return writesAfter;
                if (a.write()) writesAfter++;
            }
        }
        return actual.isEmpty() ? writesAfter : 0;
    }

    /** For concurrent writers (keys owned by one thread each): the values each key may hold after a crash at k (null: absent). */
    static Map<String, Set<String>> allowedPerKey(List<Op> ops, int k) {
        Map<String, String> acked = new HashMap<>();
        Map<String, Set<String>> out = new HashMap<>();
        for (int i = 0; i < k; i++) {
            switch (ops.get(i)) {
                case Op.KeyAck a -> {
                    acked.put(a.key(), a.value());
                    out.put(a.key(), new HashSet<>(java.util.Collections.singleton(a.value())));
                }
                case Op.KeyBegin b -> {
                    Set<String> values = out.computeIfAbsent(b.key(), key -> new HashSet<>(java.util.Collections.singleton(acked.get(key))));
                    values.add(b.value());
                }
                default -> { }
            }
        }
        return out;
    }
}
