package dev.cask.resp;

import dev.cask.net.Connection;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/** One client's state: its parser, name, authentication, protocol version, selected database, transaction, and the replies held for a force. */
final class Session {
    final Connection connection;
    final RespParser parser;
    final long createdMillis;
    /** Monotonic time of the connect and of the last bytes read, for the idle and unauthenticated timeouts. */
    final long connectedNanos = System.nanoTime();
    long lastReadNanos = connectedNanos;
    String name;
    boolean authenticated;
    /** RESP3 after HELLO 3. */
    boolean resp3;
    /** Set once the session must stop: a protocol error, QUIT, a refused write, shutdown. */
    boolean closing;
    /** Cut off at once, owed replies dropped: its replies passed its output limit. */
    boolean aborted;
    /** Replies that wait for the force covering this session's writes, in order. */
    final ArrayDeque<ByteBuffer> held = new ArrayDeque<>();
    long heldBytes;
    long commands;
    /** Has a write in the handler's pending (not yet appended) batch. */
    boolean inPendingBatch;
    /** The selected logical database (SELECT). */
    int db;
    /** Between MULTI and EXEC: the commands queued, in order; null outside a transaction. */
    java.util.List<java.util.List<byte[]>> queued;
    /** A command was refused while queueing: EXEC answers EXECABORT. */
    boolean queueError;
    /** The stored keys this session WATCHes with their expiry when watched (null: none), and whether a write touched one since. */
    java.util.Map<ByteBuffer, Long> watched;
    boolean watchTouched;
    /** The blocking command this client waits in (null: not blocked); while it waits, what it sends is kept in {@link #stash}. */
    Blocking.Waiter blocked;
    /** Bytes read while blocked, or left after the request that blocked: parsed once it is answered. */
    ByteBuffer stash;

    Session(Connection connection, RespParser parser, boolean authenticated, long createdMillis) {
        this.connection = connection;
        this.createdMillis = createdMillis;
        this.parser = parser;
        this.authenticated = authenticated;
        parser.authenticated(authenticated);
    }

    /** AUTH or HELLO AUTH gave the right password: Redis's limits for unauthenticated clients no longer apply. */
    void authenticate() {
        authenticated = true;
        parser.authenticated(true);
    }

    void hold(ByteBuffer reply) {
        ByteBuffer copy = ByteBuffer.allocate(reply.remaining());
        copy.put(reply).flip();
        held.add(copy);
        heldBytes += copy.remaining();
    }

    /** Replies are held: they go at the turn's end, once its writes were appended (and forced, under {@code always}). */
    boolean isHeld() {
        return !held.isEmpty();
    }

    /** Sends what was held (the force covering it returned). */
    void release() {
        for (ByteBuffer b : held) connection.send(b);
        held.clear();
        heldBytes = 0;
    }
}
