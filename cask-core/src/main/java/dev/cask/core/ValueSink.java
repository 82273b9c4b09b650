package dev.cask.core;

/**
 * Receives the values of a batched read ({@link Cask#get(byte[][], int, ValueSink)}) in the keys'
 * order, straight from the checked record: a reader that copies each value on (a reply being
 * built) makes no array per value.
 */
public interface ValueSink {
    /** Key {@code i}'s value is {@code length} bytes of {@code from} at {@code offset}; the bytes are valid only during the call. */
    void value(int i, byte[] from, int offset, int length);

    /** Key {@code i} is missing, deleted or expired. */
    void missing(int i);
}
