package dev.cask.resp;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs of list elements held in memory, so that LRANGE, LINDEX and the pops read the hot part of a
 * list with no keydir lookup and no record read (each costs about 60 ns an element on the loop,
 * where copying a held value costs a few). A window is one run of consecutive positions of one
 * list version, {@code [first, first + size)}. A read that missed fills it, and a push next to it
 * grows it. Each window holds at most {@link #MAX_ELEMENTS} elements, each at most
 * {@link #MAX_VALUE} bytes, and all of them together at most the budget; the windows least
 * recently used are dropped first.
 *
 * <p>A window always equals what the engine holds: {@link Collections#applied} tells it of every
 * element written or deleted in a batch the engine took, and a value the engine did not take is
 * never held. Versions never repeat, so a deleted or renamed list's window can never be read again;
 * it is dropped when its version is released. Loop thread only.
 */
final class ListWindows {
    /** The most elements one window holds: a push past it drops the element at the window's other end. */
    static final int MAX_ELEMENTS = 8_192;
    /** The longest value held; a longer one is read from the log each time. */
    static final int MAX_VALUE = 1_024;
    /** What a held element costs beyond its bytes: the array's header and alignment. */
    static final int ELEMENT_OVERHEAD = 24;
    /** A ring slot's reference: counted for every slot, used or not. */
    static final int RING_SLOT = 8;
    /**
     * What a window costs before its ring: the window, its map entry and its boxed version. Counted
     * so that a million one-element windows cannot hide several times the budget.
     */
    static final int WINDOW_OVERHEAD = 128;

    /** The default budget: 64 MiB, or a sixteenth of the largest heap the JVM may use if that is less. */
    static final long DEFAULT_MAX_BUDGET = 64L << 20;

    private long budget;
    private final LinkedHashMap<Long, Window> windows = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    /** @param budget the most bytes all windows may hold together; 0 holds nothing */
    ListWindows(long budget) {
        budget(budget);
    }

    static long defaultBudget() {
        return Math.min(DEFAULT_MAX_BUDGET, Runtime.getRuntime().maxMemory() / 16);
    }

    /** A new budget (CONFIG SET list-cache): windows past it are dropped now, least recently used first. */
    void budget(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("the list cache's budget must be >= 0 bytes, got " + bytes);
        budget = bytes;
        evict(Long.MIN_VALUE);
    }

    boolean enabled() {
        return budget > 0;
    }

    /**
     * Writes positions {@code [from, from + n)} of list {@code version} as bulk strings into
     * {@code r} and answers true if one window holds them all; answers false, writing nothing, if
     * not.
     */
    boolean bulksInto(long version, long from, long n, Reply r) {
        Window w = windows.isEmpty() ? null : windows.get(version);
        if (w == null || !w.holds(from, n)) {
            misses++;
            return false;
        }
        hits++;
        for (long p = from; p < from + n; p++) r.bulk(w.get(p));
        return true;
    }

    /** The value at {@code position} of list {@code version} if a window holds it, else null. */
    byte[] get(long version, long position) {
        Window w = windows.isEmpty() ? null : windows.get(version);
        if (w == null || !w.holds(position, 1)) {
            misses++;
            return null;
        }
        hits++;
        return w.get(position);
    }

    /**
     * Tells the windows what a read from the log found at positions {@code [from, from + n)} of
     * list {@code version}: {@code values[i]} is position {@code from + i}'s value, null where it
     * is too long to hold. The values that touch the version's window join it, outwards from it in
     * both directions until a gap; with no window, or one apart from the range, the range becomes
     * the window.
     */
    void read(long version, long from, byte[][] values, int n) {
        if (!enabled() || n <= 0 || n > MAX_ELEMENTS) return;
        Window w = windows.get(version);
        if (w != null && (from > w.end() || from + n < w.first)) {
            drop(version); // a run apart from the window: the newer read is what is being used
            w = null;
        }
        if (w == null) {
            w = new Window(from);
            windows.put(version, w);
            bytes += w.bytes;
        }
        int before = w.size == 0 ? 0 : (int) Math.max(0, Math.min(n, w.first - from)); // values[0..before) lie before the window
        for (int i = before; i < n; i++) { // from the window's start (or the range's) upwards
            long p = from + i;
            if (values[i] == null) {
                if (w.holds(p, 1)) {
                    drop(version);
                    return;
                }
                continue;
            }
            if (!place(w, p, values[i])) break; // a gap: what came before it is kept
        }
        for (int i = before - 1; i >= 0 && values[i] != null; i--) { // and from the window's start downwards
            if (!place(w, from + i, values[i])) break;
        }
        if (w.size == 0) drop(version);
        else evict(version);
    }

    /**
     * Tells the windows of an element the engine took: {@code value} is what position
     * {@code position} of list {@code version} now holds, null if it was deleted.
     */
    void written(long version, long position, byte[] value) {
        Window w = windows.isEmpty() ? null : windows.get(version);
        if (w == null) return;
        if (value == null) {
            if (!w.holds(position, 1)) return;
            long before = w.bytes;
            if (position == w.first) {
                w.removeFirst();
            } else if (position == w.end() - 1) {
                w.removeLast();
            } else {
                drop(version); // a hole in the middle: the run is no longer one window
                return;
            }
            bytes += w.bytes - before;
            if (w.size == 0) drop(version);
            return;
        }
        if (value.length > MAX_VALUE) {
            if (w.holds(position, 1)) drop(version);
            return;
        }
        if (place(w, position, value)) evict(version);
    }

    /** List {@code version} is deleted, renamed or swept: nothing can read its window again. */
    void released(long version) {
        if (!windows.isEmpty()) drop(version);
    }

    /**
     * Puts {@code value} at {@code position} if that is in the window or next to it, keeping the
     * window at most {@link #MAX_ELEMENTS}; false if the position is apart from the window.
     */
    private boolean place(Window w, long position, byte[] value) {
        long before = w.bytes;
        if (w.holds(position, 1)) {
            w.set(position, value);
        } else if (position == w.end()) {
            w.addLast(value);
            if (w.size > MAX_ELEMENTS) w.removeFirst();
        } else if (position == w.first - 1 || w.size == 0) {
            w.addFirst(position, value);
            if (w.size > MAX_ELEMENTS) w.removeLast();
        } else {
            return false;
        }
        bytes += w.bytes - before;
        return true;
    }

    private void drop(long version) {
        Window w = windows.remove(version);
        if (w != null) bytes -= w.bytes;
    }

    /** Drops the least recently used windows until all fit the budget; {@code keep}'s last of all. */
    private void evict(long keep) {
        Iterator<Map.Entry<Long, Window>> it = windows.entrySet().iterator();
        while (bytes > budget && it.hasNext()) {
            Map.Entry<Long, Window> e = it.next();
            if (e.getKey() == keep && windows.size() > 1) continue;
            bytes -= e.getValue().bytes;
            it.remove();
        }
    }

    long bytes() {
        return bytes;
    }

    long budget() {
        return budget;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }

    /** CONFIG RESETSTAT: the hit and miss counts start again from zero. */
    void resetCounts() {
        hits = 0;
        misses = 0;
    }

    int windows() {
        return windows.size();
    }

    /** One run of consecutive positions, in a ring that grows at either end; {@link #bytes} is all it costs. */
    private static final class Window {
        long first;
        private byte[][] ring = new byte[16][];
        private int start;
        int size;
        long bytes = WINDOW_OVERHEAD + (long) RING_SLOT * 16;

        Window(long first) {
            this.first = first;
        }

        long end() {
            return first + size;
        }

        boolean holds(long from, long n) {
            return from >= first && n >= 0 && from + n <= first + size;
        }

        byte[] get(long position) {
            return ring[(start + (int) (position - first)) & (ring.length - 1)];
        }

        /** Replaces a held value. */
        void set(long position, byte[] value) {
            int at = (start + (int) (position - first)) & (ring.length - 1);
            bytes += (long) value.length - ring[at].length;
            ring[at] = value;
        }

        void addLast(byte[] value) {
            grow();
            ring[(start + size) & (ring.length - 1)] = value;
            size++;
            bytes += (long) value.length + ELEMENT_OVERHEAD;
        }

        /** Adds {@code value} before the first element (as position {@code position}, which an empty window starts at). */
        void addFirst(long position, byte[] value) {
            grow();
            start = (start - 1) & (ring.length - 1);
            ring[start] = value;
            size++;
            first = position;
            bytes += (long) value.length + ELEMENT_OVERHEAD;
        }

        void removeFirst() {
            byte[] v = ring[start];
            ring[start] = null;
            start = (start + 1) & (ring.length - 1);
            size--;
            first++;
            bytes -= (long) v.length + ELEMENT_OVERHEAD;
        }

        void removeLast() {
            int at = (start + size - 1) & (ring.length - 1);
            byte[] v = ring[at];
            ring[at] = null;
            size--;
            bytes -= (long) v.length + ELEMENT_OVERHEAD;
        }

        private void grow() {
            if (size < ring.length) return;
            byte[][] bigger = new byte[ring.length * 2][];
            for (int i = 0; i < size; i++) bigger[i] = ring[(start + i) & (ring.length - 1)];
            bytes += (long) RING_SLOT * (bigger.length - ring.length);
            ring = bigger;
            start = 0;
        }
    }
}
