package dev.cask.resp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The members of one hash, set or sorted set, packed: their bytes back to back in one array
 * (each after its length as a varint), an array of where each starts (by index, for random picks
 * and positional scans), and an open-addressing table of indexes (by content). A member costs its
 * own length plus about 14 bytes; as {@code byte[]}s in a list with a {@code HashMap} by content it
 * cost about 150.
 *
 * <p>Removal moves the last member into the freed index (so indexes stay dense) and leaves its
 * bytes behind; the bytes are compacted once more than half of them are garbage. Loop thread only.
 */
final class MemberIndex {
    static final MemberIndex EMPTY = new MemberIndex();
    /** The most member bytes one collection holds: the packed array is one Java array. */
    static final int MAX_BYTES = Integer.MAX_VALUE - 64;

    private byte[] data = new byte[16];
    private int end;
    private int garbage;
    private int[] starts;
    private int size;
    /** Index + 1 of the member whose probe chain passes here; 0 is empty. A power of two long. */
    private int[] slots;
    /** Members this index was sized for: the first member's length times this sizes the bytes too. */
    private final int expected;
    private static final int MAX_PRESIZE = 1 << 20;

    MemberIndex() {
        this(0);
    }

    /**
     * An index sized for {@code expected} members (a collection's count, known at a start): no
     * regrowth while they are added. Up to {@link #MAX_PRESIZE}: a count is only a hint, and a wrong
     * one must not take the heap.
     */
    MemberIndex(long expected) {
        this.expected = Math.clamp(expected, 0, MAX_PRESIZE);
        starts = new int[Math.max(4, this.expected)];
        slots = new int[Math.max(8, Integer.highestOneBit(Math.max(1, this.expected * 4 / 3)) << 1)];
    }

    int size() {
        return size;
    }

    /** A copy of member {@code i}. */
    byte[] get(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException(i);
        int at = starts[i];
        int length = varint(data, at);
        int from = at + varintSize(length);
        return Arrays.copyOfRange(data, from, from + length);
    }

    /** A copy of every member, for a caller that writes while it walks them. */
    List<byte[]> snapshot() {
        List<byte[]> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) all.add(get(i));
        return all;
    }

    boolean contains(byte[] member) {
        return slotOf(member) >= 0;
    }

    /** Adds {@code member} if it is not there yet. */
    void add(byte[] member) {
        add(member, 0, member.length);
    }

    /** Adds the member that is {@code length} bytes of {@code b} from {@code from} (a stored element key's tail, uncopied). */
    void add(byte[] b, int from, int length) {
        int slot = slotOf(b, from, length);
        if (slot >= 0) return;
        append(b, from, length, -slot - 1);
    }

    /**
     * As {@link #add(byte[], int, int)} for a member the caller knows is not there (the keydir's
     * keys are distinct): its probe only looks for a free slot and reads no member's bytes, each of
     * which is a cache miss in a large index (a start's walk of 10M elements spent most of its time
     * comparing against members that could not match).
     */
    void addDistinct(byte[] b, int from, int length) {
        int mask = slots.length - 1;
        int slot = hash(b, from, length) & mask;
        while (slots[slot] != 0) slot = (slot + 1) & mask;
        append(b, from, length, slot);
    }

    /** Appends a member that is not there, its index going in free slot {@code free}. */
    private void append(byte[] b, int from, int length, int free) {
        int need = varintSize(length) + length;
        if ((long) end + need > MAX_BYTES) compact();
        if ((long) end + need > MAX_BYTES) {
            throw new IllegalStateException("a collection's members may take at most " + MAX_BYTES + " bytes in memory");
        }
        if (end + need > data.length) {
            long grown = Math.max((long) end + need, data.length + (data.length >> 1) + 16L);
            if (size == 0) grown = Math.max(grown, (long) expected * need); // members of one collection tend to be alike in length
            data = Arrays.copyOf(data, (int) Math.min(MAX_BYTES, grown));
        }
        if (size == starts.length) starts = Arrays.copyOf(starts, starts.length + (starts.length >> 1) + 4);
        starts[size] = end;
        end = putVarint(data, end, length);
        System.arraycopy(b, from, data, end, length);
        end += length;
        size++;
        slots[free] = size;
        if (size > slots.length * 3L / 4) rehash(slots.length * 2);
    }

    /** Removes {@code member}; false if it was not there. */
    boolean remove(byte[] member) {
        int slot = slotOf(member);
        if (slot < 0) return false;
        int index = slots[slot] - 1;
        garbage += entryLength(starts[index]);
        deleteSlot(slot);
        int last = size - 1;
        if (index != last) { // the last member takes the freed index
            int lastSlot = slotOfIndex(last);
            starts[index] = starts[last];
            slots[lastSlot] = index + 1;
        }
        size--;
        if (size == 0) {
            end = 0;
            garbage = 0;
        } else if (garbage > 1024 && garbage > end / 2) {
            compact();
        }
        if (slots.length > 16 && size < slots.length / 8) rehash(Math.max(8, Integer.highestOneBit(Math.max(1, size)) * 4));
        return true;
    }

    /** The slot holding {@code member}, or {@code -(free slot) - 1} where it would go. */
    private int slotOf(byte[] member) {
        return slotOf(member, 0, member.length);
    }

    private int slotOf(byte[] b, int from, int length) {
        int mask = slots.length - 1;
        int slot = hash(b, from, length) & mask;
        while (true) {
            int held = slots[slot];
            if (held == 0) return -slot - 1;
            int at = starts[held - 1];
            int heldLength = varint(data, at);
            int heldFrom = at + varintSize(heldLength);
            if (heldLength == length && Arrays.equals(data, heldFrom, heldFrom + length, b, from, from + length)) return slot;
            slot = (slot + 1) & mask;
        }
    }

    /** The slot that holds index {@code index}. */
    private int slotOfIndex(int index) {
        int mask = slots.length - 1;
        int slot = hashAt(starts[index]) & mask;
        while (slots[slot] != index + 1) slot = (slot + 1) & mask;
        return slot;
    }

    /** Backward-shift deletion: keeps every probe chain unbroken without tombstones. */
    private void deleteSlot(int hole) {
        int mask = slots.length - 1;
        int slot = hole;
        while (true) {
            slot = (slot + 1) & mask;
            int held = slots[slot];
            if (held == 0) break;
            int home = hashAt(starts[held - 1]) & mask;
            boolean stays = hole <= slot ? home > hole && home <= slot : home > hole || home <= slot;
            if (stays) continue;
            slots[hole] = held;
            hole = slot;
        }
        slots[hole] = 0;
    }

    private void rehash(int capacity) {
        int[] fresh = new int[capacity];
        int mask = capacity - 1;
        for (int i = 0; i < size; i++) {
            int slot = hashAt(starts[i]) & mask;
            while (fresh[slot] != 0) slot = (slot + 1) & mask;
            fresh[slot] = i + 1;
        }
        slots = fresh;
    }

    /** Rewrites the bytes without the removed members' (indexes and slots do not change). */
    private void compact() {
        byte[] packed = new byte[Math.max(16, end - garbage + (end - garbage) / 4)];
        int at = 0;
        for (int i = 0; i < size; i++) {
            int length = entryLength(starts[i]);
            System.arraycopy(data, starts[i], packed, at, length);
            starts[i] = at;
            at += length;
        }
        data = packed;
        end = at;
        garbage = 0;
    }

    private int entryLength(int at) {
        int length = varint(data, at);
        return varintSize(length) + length;
    }

    private int hashAt(int at) {
        int length = varint(data, at);
        return hash(data, at + varintSize(length), length);
    }

    private static int hash(byte[] b, int from, int length) {
        int h = 0x9E3779B9 ^ length;
        for (int i = from; i < from + length; i++) h = (h ^ b[i]) * 0x01000193;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        return h ^ (h >>> 13);
    }

    private static int varint(byte[] b, int at) {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[at++];
            value |= (x & 0x7f) << shift;
            if (x >= 0) return value;
        }
    }

    private static int varintSize(int value) {
        int n = 1;
        while ((value >>>= 7) != 0) n++;
        return n;
    }

    private static int putVarint(byte[] b, int at, int value) {
        while ((value & ~0x7f) != 0) {
            b[at++] = (byte) ((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        b[at++] = (byte) value;
        return at;
    }
}
