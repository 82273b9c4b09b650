package dev.cask.net;

/**
 * How sockets are watched, read and written: NIO's level-triggered {@code Selector}, native epoll
 * (edge- or level-triggered) or io_uring, all behind this interface. Everything a transport
 * does for a handler happens on its one loop thread.
 */
public interface Transport extends AutoCloseable {
    /** The port it listens on (the one asked for, or the one the system chose for 0). */
    int port();

    /** The name of the loop thread, for logs and INFO. */
    String threadName();

    /** Which transport this is ({@code nio}, ...), for INFO and the startup lines. */
    String name();

    /** New client and output limits, from the loop thread (a command); the read buffer keeps the size it started with. */
    void limits(ServerLimits limits);

    /** Makes the loop run a turn soon (its handler's {@link Handler#onTurnEnd}); callable from any thread. */
    void wakeup();

    /**
     * Stops accepting and reading, calls {@link Handler#onStop}, writes what is queued (for at most
     * a few seconds), closes every connection and waits for the loop thread.
     */
    @Override
    void close();
}
