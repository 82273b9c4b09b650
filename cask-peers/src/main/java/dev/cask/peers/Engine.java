package dev.cask.peers;

import java.nio.file.Path;

/**
 * One key-value engine as the peer benchmark drives it. {@code put} and {@code get} must be safe
 * from many threads at once (the 16-thread durable run); what a returned put means differs by
 * engine and is stated by {@link #putMeans} and {@link #durableMeans}, printed with the results.
 */
interface Engine extends AutoCloseable {
    String name();

    /** What a returned put promises when opened with {@code durable} false. */
    String putMeans();

    /** What a returned put promises when opened with {@code durable} true. */
    String durableMeans();

    /** Opens (or creates) the store in {@code dir}; a durable store makes each put durable before it returns. */
    void open(Path dir, boolean durable) throws Exception;

    void put(byte[] key, byte[] value) throws Exception;

    /** The value, or null if the key is absent. */
    byte[] get(byte[] key) throws Exception;

    /** Brings the files to their steady state before bytes on disk are counted (a flush, a compaction), if the engine has one. */
    default void settle() throws Exception {}

    /** A clean close: everything put is on disk when it returns. */
    @Override
    void close() throws Exception;
}
