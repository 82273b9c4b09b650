package dev.cask.net;

/**
 * How sockets are watched, read and written: NIO's level-triggered {@code Selector} here; the
 * native epoll and io_uring transports of a later issue plug in beside it. Everything a transport
 * does for a handler happens on its one loop thread.
 */
public interface Transport extends AutoCloseable {
    /** The port it listens on (the one asked for, or the one the system chose for 0). */
    int port();

    /** The name of the loop thread, for logs and INFO. */
    String threadName();

    /** Stops accepting, lets queued output drain (bounded), closes everything, and waits for the loop thread. */
    @Override
    void close();
}
