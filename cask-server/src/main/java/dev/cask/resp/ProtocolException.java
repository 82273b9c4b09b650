package dev.cask.resp;

/** A request that breaks RESP: answered with {@code -ERR Protocol error: <message>}, then the connection is closed. */
public final class ProtocolException extends Exception {
    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
