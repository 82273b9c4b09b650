package dev.cask.core;

/** A merge was asked for while another one runs: merges are never interleaved. */
public final class MergeInProgressException extends CaskException {
    public MergeInProgressException(String message) {
        super(message);
    }
}
