package dev.cask.net;

import java.nio.ByteBuffer;

/** One client connection as a handler sees it. Used only on the event-loop thread. */
public interface Connection {
    /** Queues {@code bytes} (copied) to be written to the peer, in order. */
    void send(ByteBuffer bytes);

    /** Closes after what is queued has been written; nothing more is read from it. */
    void closeAfterWrite();

    /** Closes at once with a reset, dropping what is queued (a client past its limits). */
    void abort();

    /** A number unique for this server's life. */
    long id();

    /** Bytes queued and not yet taken by the socket. */
    long pendingOutput();

    /** Bytes queued on all of this server's connections together. */
    long serverPendingOutput();

    /** The peer's address, for CLIENT LIST and logs. */
    String peer();

    /** The handler's per-connection state. */
    Object attachment();

    void attach(Object state);
}
