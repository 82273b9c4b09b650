package dev.cask.resp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WATCH: which sessions watch which stored keys, and the mark a write leaves on each of them, so
 * that their next EXEC answers nil. Loop thread only. Costs nothing while nobody watches.
 */
final class Watches {
    private final Map<ByteBuffer, List<Session>> byKey = new HashMap<>();

    boolean anyone() {
        return !byKey.isEmpty();
    }

    /** {@code expiry}: when the key, live now, expires (0: never, or it is not there); its passing counts as a change, as in Redis 7. */
    void watch(Session s, byte[] storedKey, long expiry) {
        ByteBuffer key = ByteBuffer.wrap(storedKey.clone());
        if (s.watched == null) s.watched = new HashMap<>();
        if (s.watched.containsKey(key)) return;
        s.watched.put(key, expiry);
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }

    /** Whether a key that was live when watched has expired since (Redis 7 then fails the EXEC too). */
    static boolean expiredSinceWatch(Session s, long now) {
        if (s.watched == null) return false;
        for (long expiry : s.watched.values()) if (expiry != 0 && expiry <= now) return true;
        return false;
    }

    /** UNWATCH, EXEC, DISCARD and a closed connection: the session watches nothing, and its mark is gone. */
    void unwatchAll(Session s) {
        if (s.watched != null) {
            for (ByteBuffer key : s.watched.keySet()) {
                List<Session> watchers = byKey.get(key);
                if (watchers == null) continue;
                watchers.remove(s);
                if (watchers.isEmpty()) byKey.remove(key);
            }
            s.watched = null;
        }
        s.watchTouched = false;
    }

    /** A write changed {@code storedKey}: every session watching it will see EXEC fail. */
    void touched(ByteBuffer storedKey) {
        List<Session> watchers = byKey.get(storedKey);
        if (watchers != null) for (Session s : watchers) s.watchTouched = true;
    }
}
