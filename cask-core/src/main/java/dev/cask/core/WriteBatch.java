package dev.cask.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Puts and deletes that {@link Cask#write(WriteBatch)} makes visible and durable together: after
 * a crash either all of them are there or none is.
 */
public final class WriteBatch {
    /** One operation; {@code value} is null for a delete. */
    public record Op(byte[] key, byte[] value, long expiry) {
        public boolean isDelete() {
            return value == null;
        }
    }

    private final List<Op> ops = new ArrayList<>();

    /** An empty batch. */
    public WriteBatch() {
        // the operations are added with put and delete
    }

    public WriteBatch put(byte[] key, byte[] value) {
        return put(key, value, 0);
    }

    /** A put that expires at {@code expiryMillis} (milliseconds since the epoch; 0 = never). */
    public WriteBatch put(byte[] key, byte[] value, long expiryMillis) {
        ops.add(new Op(key.clone(), value.clone(), expiryMillis));
        return this;
    }

    public WriteBatch delete(byte[] key) {
        ops.add(new Op(key.clone(), null, 0));
        return this;
    }

    public int size() {
        return ops.size();
    }

    public List<Op> ops() {
        return Collections.unmodifiableList(ops);
    }
}
