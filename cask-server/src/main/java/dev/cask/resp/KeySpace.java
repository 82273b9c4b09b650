package dev.cask.resp;

import dev.cask.core.Cask;
import dev.cask.core.KeyDirEntry;
import dev.cask.core.WriteBatch;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The keys one command (or one EXEC) sees: the engine's, with the writes made so far by this
 * command or transaction seen first. Writes are collected and go to the engine as one batch at
 * {@link #commit}, so a transaction is all or nothing, even across a crash. Keys here are stored
 * keys ({@link KeyNames#encode}); expiry is in ms since the epoch, 0 = never.
 */
final class KeySpace {
    /** A key's value and expiry, read as one snapshot. */
    record Value(byte[] value, long expiry) {}

    /** A write this command or transaction made: a put, or a delete ({@code value} null). */
    private record Write(byte[] key, byte[] value, long expiry) {
        boolean deleted() {
            return value == null;
        }
    }

    private final Cask cask;
    private final LongSupplier clock;
    private final Map<ByteBuffer, Write> written = new LinkedHashMap<>();
    /** Where {@link Cask#get(byte[], long[])} puts a value's expiry (the loop thread's only). */
    private final long[] expiryOut = new long[1];
    /** While a read-only command runs: its lookups of keys (not of a collection's elements) count as INFO's keyspace hits and misses. */
    boolean countingReads;
    long hits;
    long misses;

    private byte[] counted(byte[] key, byte[] value) {
        if (countingReads && !CollectionKeys.isElement(key)) {
            if (value != null) hits++;
            else misses++;
        }
        return value;
    }

    /** Running the commands of an EXEC: writes wait for its end, however many there are. */
    private boolean transaction;

    KeySpace(Cask cask) {
        this.cask = cask;
        this.clock = () -> cask.options().clock().millis();
    }

    long now() {
        return clock.getAsLong();
    }

    /** The key's value and expiry, or null if it is missing or expired. */
    Value read(byte[] key) {
        Write mine = written.isEmpty() ? null : written.get(ByteBuffer.wrap(key));
        if (mine != null) return mine.deleted() || expired(mine.expiry) ? null : new Value(mine.value, mine.expiry);
        byte[] value = cask.get(key, expiryOut);
        if (value != null && expired(expiryOut[0])) value = null;
        if (counted(key, value) == null) return null;
        return new Value(value, expiryOut[0]);
    }

    /** The key's value, or null if it is missing or expired: one keydir lookup when this command has written nothing. */
    byte[] value(byte[] key) {
        if (written.isEmpty()) return counted(key, cask.get(key));
        Value v = read(key);
        return v == null ? null : v.value;
    }

    /**
     * The values of collection elements {@code keys[0..n)} as bulk strings into {@code r}, nil where
     * one is missing: when this command has written nothing, straight from one batched read of the
     * engine, with no array per value. Element reads are not counted as keyspace hits or misses.
     */
    void bulksInto(byte[][] keys, int n, Reply r) {
        if (!written.isEmpty()) {
            for (int i = 0; i < n; i++) r.bulk(value(keys[i]));
            return;
        }
        cask.get(keys, n, r.bulks);
    }

    /** As {@link #bulksInto}, into {@code sink}, for a command that has written nothing yet. */
    void valuesInto(byte[][] keys, int n, dev.cask.core.ValueSink sink) {
        if (!written.isEmpty()) throw new IllegalStateException("a read into a sink sees none of the command's own writes");
        cask.get(keys, n, sink);
    }

    /** The key's expiry (0 = never), or -1 if it is missing or expired; reads no value. */
    long expiry(byte[] key) {
        Write mine = written.isEmpty() ? null : written.get(ByteBuffer.wrap(key));
        if (mine != null) return mine.deleted() || expired(mine.expiry) ? -1 : mine.expiry;
        KeyDirEntry entry = cask.metadata(key);
        return entry == null ? -1 : entry.expiry();
    }

    boolean exists(byte[] key) {
        return expiry(key) >= 0;
    }

    /** The value's length, or -1 if the key is missing; reads no value outside a transaction's own writes. */
    long length(byte[] key) {
        Write mine = written.isEmpty() ? null : written.get(ByteBuffer.wrap(key));
        if (mine != null) return mine.deleted() || expired(mine.expiry) ? -1 : mine.value.length;
        KeyDirEntry entry = cask.metadata(key);
        return entry == null ? -1 : entry.valueSize();
    }

    /** Refuses a key or value over the engine's limits (LimitExceededException), before anything is collected. */
    void checkPut(byte[] key, byte[] value) {
        cask.checkPut(key, value);
    }

    void put(byte[] key, byte[] value, long expiry) {
        cask.checkPut(key, value); // a limit error before anything is collected: the command fails whole
        byte[] copy = key.clone();
        written.put(ByteBuffer.wrap(copy), new Write(copy, value, expiry));
    }

    void delete(byte[] key) {
        byte[] copy = key.clone();
        written.put(ByteBuffer.wrap(copy), new Write(copy, null, 0));
    }

    void transaction(boolean on) {
        transaction = on;
    }

    boolean inTransaction() {
        return transaction;
    }

    boolean hasWrites() {
        return !written.isEmpty();
    }

    /** The stored keys written so far. */
    java.util.List<byte[]> writtenKeys() {
        java.util.List<byte[]> keys = new java.util.ArrayList<>();
        for (Write w : written.values()) keys.add(w.key);
        return keys;
    }

    /** The collected writes as one batch, and forgets them; null if there were none. */
    WriteBatch commit() {
        if (written.isEmpty()) return null;
        WriteBatch batch = new WriteBatch();
        for (Write w : written.values()) {
            if (w.deleted()) batch.delete(w.key);
            else batch.put(w.key, w.value, w.expiry);
        }
        written.clear();
        return batch;
    }

    /** Forgets the collected writes (the command failed part-way: nothing of it is written). */
    void discard() {
        written.clear();
    }

    private boolean expired(long expiry) {
        return expiry != 0 && expiry <= now();
    }
}
