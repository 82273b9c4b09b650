package dev.cask.net;

import java.nio.ByteBuffer;

/**
 * What a server does with the bytes of one connection: the same for every transport. Called only
 * on the event-loop thread.
 */
public interface Handler {
    /**
     * Consumes what it can of {@code input} (positioned at the unread bytes, which may end in the
     * middle of a message) and queues replies with {@link Connection#send}. Bytes left unread stay
     * for the next call.
     */
    void onData(Connection connection, ByteBuffer input);

    /** Called once per loop turn, after every connection's input of that turn was handled. */
    default void onTurnEnd() {}

    /** Called when a connection is gone, whatever the reason. */
    default void onClose(Connection connection) {}
}
