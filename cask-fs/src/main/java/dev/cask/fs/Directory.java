package dev.cask.fs;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A directory's entries in memory: names to inode numbers for lookup, and a sequence number per
 * entry for readdir. The sequence number is the readdir offset, so a listing resumes where it
 * stopped in O(log n) however the directory changed meanwhile: an entry present throughout is
 * listed exactly once. Names are kept as ISO-8859-1 strings, which map bytes to chars one to one.
 */
final class Directory {
    /** Offsets 1 and 2 follow "." and ".."; entries start after them. */
    static final long FIRST_SEQ = 3;

    private record Slot(long ino, long seq) {
    }

    long parent;
    private final Map<String, Slot> byName = new HashMap<>();
    private final TreeMap<Long, String> bySeq = new TreeMap<>();
    private long nextSeq = FIRST_SEQ;

    Directory(long parent) {
        this.parent = parent;
    }

    static String key(byte[] name) {
        return new String(name, StandardCharsets.ISO_8859_1);
    }

    static byte[] name(String key) {
        return key.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The child's inode number, or 0. */
    long get(byte[] name) {
        Slot s = byName.get(key(name));
        return s == null ? 0 : s.ino;
    }

    void put(byte[] name, long ino) {
        String k = key(name);
        Slot old = byName.get(k);
        if (old != null) {
            byName.put(k, new Slot(ino, old.seq)); // replaced in place: a listing in progress sees it once
            return;
        }
        long seq = nextSeq++;
        byName.put(k, new Slot(ino, seq));
        bySeq.put(seq, k);
    }

    void remove(byte[] name) {
        Slot s = byName.remove(key(name));
        if (s != null) bySeq.remove(s.seq);
    }

    boolean isEmpty() {
        return byName.isEmpty();
    }

    int size() {
        return byName.size();
    }

    /** Entries whose offset is at least {@code seq}, in offset order: seq to name. */
    NavigableMap<Long, String> from(long seq) {
        return bySeq.tailMap(seq, true);
    }

    long inoOf(String key) {
        return byName.get(key).ino;
    }
}
