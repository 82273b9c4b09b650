package dev.cask.net;

import java.nio.ByteBuffer;

/** One client connection as a handler sees it. */
public interface Connection {
    /** Queues {@code bytes} (copied) to be written to the peer, in order. */
    void send(ByteBuffer bytes);

    /** Closes after what is queued has been written. */
    void closeAfterWrite();

    /** A number unique for this server's life. */
    long id();

    /** Bytes queued and not yet taken by the socket. */
    long pendingOutput();
}
