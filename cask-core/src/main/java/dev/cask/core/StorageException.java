package dev.cask.core;

/** The file system refused an operation (for example: no space left); what was half done was undone. */
public class StorageException extends CaskException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
