package dev.cask.core;

/** The base of every failure the engine reports; each subclass is one a caller can act on. */
public class CaskException extends RuntimeException {
    public CaskException(String message) {
        super(message);
    }

    public CaskException(String message, Throwable cause) {
        super(message, cause);
    }
}
