package dev.cask.core;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/** The in-memory map from every key to where its newest version lives. Safe for concurrent readers. */
final class KeyDir {
    private final ConcurrentHashMap<Key, KeyDirEntry> map = new ConcurrentHashMap<>();

    KeyDirEntry get(byte[] key) {
        return map.get(new Key(key));
    }

    /** Sets the key's entry and returns the one it replaced, or null. */
    KeyDirEntry put(byte[] key, KeyDirEntry entry) {
        return map.put(new Key(key), entry);
    }

    KeyDirEntry remove(byte[] key) {
        return map.remove(new Key(key));
    }

    int size() {
        return map.size();
    }

    void clear() {
        map.clear();
    }

    /** Visits every entry; weakly consistent with concurrent writes. */
    void forEach(BiConsumer<byte[], KeyDirEntry> visitor) {
        map.forEach((key, entry) -> visitor.accept(key.bytes, entry));
    }

    private static final class Key {
        final byte[] bytes;
        final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
