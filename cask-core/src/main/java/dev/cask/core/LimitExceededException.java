package dev.cask.core;

/** A key or value is larger than the configured limit; nothing was written. */
public final class LimitExceededException extends CaskException {
    public LimitExceededException(String message) {
        super(message);
    }
}
