package dev.cask.core;

/** Told how far a long operation (check, merge) has got, in bytes. */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> {};

    /** {@code done} of {@code total} bytes processed; called often, so keep it cheap. */
    void update(long done, long total);
}
