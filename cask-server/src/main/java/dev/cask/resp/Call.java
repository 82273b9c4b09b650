package dev.cask.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One data command as its implementation sees it: the arguments, the client's session and
 * selected database, the key space it reads and writes (which, inside EXEC, holds the
 * transaction's earlier writes), and the reply it writes to.
 */
final class Call {
    final Session session;
    final List<byte[]> a;
    final KeySpace ks;
    final Reply r;
    final Collections collections;

    Call(Session session, List<byte[]> a, KeySpace ks, Reply r, Collections collections) {
        this.session = session;
        this.a = a;
        this.ks = ks;
        this.r = r;
        this.collections = collections;
    }

    /** Argument {@code i}'s collection metadata key in the selected database. */
    byte[] metaKey(int i) {
        return CollectionKeys.meta(session.db, a.get(i));
    }

    /** Whether argument {@code i} names a live collection: one lookup, and none while no collection was ever written. */
    boolean collectionAt(int i) {
        return (collections.any() || ks.hasWrites()) && ks.exists(metaKey(i));
    }

    /** The stored key of argument {@code i}'s live record, whichever kind it is (a string, or a collection's metadata), or null. */
    byte[] existing(int i) {
        byte[] key = key(i);
        if (ks.exists(key)) return key;
        return collectionAt(i) ? metaKey(i) : null;
    }

    /** Deletes argument {@code i}'s collection, if it names one: a string written over it replaces it, as in Redis. */
    void dropCollection(int i) {
        if (collectionAt(i)) ks.delete(metaKey(i));
    }

    int size() {
        return a.size();
    }

    byte[] arg(int i) {
        return a.get(i);
    }

    /** Argument {@code i} as a key of the selected database, as stored. */
    byte[] key(int i) {
        return KeyNames.encode(session.db, a.get(i));
    }

    /** Argument {@code i} as a Redis integer; check {@link #isInteger} first ({@link Long#MIN_VALUE} is one). */
    long integer(int i) {
        return Integers.parse(a.get(i));
    }

    boolean isInteger(int i) {
        return Integers.valid(a.get(i));
    }

    String upper(int i) {
        return new String(a.get(i), StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }

    String text(int i) {
        return new String(a.get(i), StandardCharsets.ISO_8859_1);
    }

    long now() {
        return ks.now();
    }
}
