package dev.cask.net;

import java.nio.ByteBuffer;

/**
 * What a server does with the bytes of one connection: the same for every transport. Every
 * method is called on the event-loop thread only.
 */
public interface Handler {
    /** A connection was accepted (and is within the client limit). */
    default void onOpen(Connection connection) {}

    /**
     * Consumes what it can of {@code input} (positioned at the unread bytes, which may end in the
     * middle of a message) and queues replies with {@link Connection#send}. Bytes left unread stay
     * for the next call.
     */
    void onData(Connection connection, ByteBuffer input);

    /** Called once per loop turn, after every connection's input of that turn was handled. */
    default void onTurnEnd() {}

    /**
     * How soon the handler needs a turn even if no socket is ready (a client's timeout), in
     * milliseconds; {@link Integer#MAX_VALUE} when it needs none. The loop waits no longer.
     */
    default int millisUntilDue() {
        return Integer.MAX_VALUE;
    }

    /** Called when a connection is gone, whatever the reason. */
    default void onClose(Connection connection) {}

    /**
     * What to tell a connection refused because the server is full, written (if the socket takes
     * it at once) before closing; null to close without a word.
     */
    default ByteBuffer refusal() {
        return null;
    }

    /**
     * The server stops: no more input is read or accepted. Replies the handler still holds must
     * be queued now; what is queued is then written (bounded in time) before connections close.
     */
    default void onStop() {}

    /**
     * The loop itself cannot go on (not one connection's failure: those close that connection
     * only). Called on the loop thread as it stops; the owner must then stop the process rather than
     * keep a server that serves nothing. The default prints the reason.
     */
    default void onLoopFailure(Throwable failure) {
        System.getLogger(Handler.class.getName()).log(System.Logger.Level.ERROR, "the event loop stopped", failure);
    }
}
