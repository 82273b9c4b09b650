package dev.cask.resp;

import dev.cask.core.WriteBatch;
import dev.cask.net.Connection;
import dev.cask.net.Handler;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis protocol over the event loop: parses each connection's requests, runs them against
 * the database and queues the replies, all on the loop thread.
 *
 * <p>Durability over the wire: under the {@code always} sync policy, a reply that follows a write
 * is held until the force covering that write returns. Writes of one loop turn, from every
 * client, share one force, run by the loop thread itself at the turn's end, as Redis's
 * {@code appendfsync always} does. While it runs, every client's next request gathers in its
 * socket, so the next turn's force covers them all. (A force on another thread, with the loop
 * reading on, split the clients into two groups that alternated between forces: half the writes
 * per force, and 20-28% fewer writes a second under {@code redis-benchmark -c 50}.) Replies on a
 * connection stay in order: once one is held, the ones after it wait behind it.
 *
 * <p>Write combining (policies {@code none} and {@code always}): plain {@code SET key value} and
 * {@code MSET} are not written one by one. They gather in one pending batch, answered {@code +OK}
 * in the reply buffer but held; the batch is appended (one {@code pwrite} for the whole turn)
 * before any other command runs, so every read sees it, and at the turn's end, before any reply
 * held for it is released. So a reply still leaves only after its write reached the kernel
 * (SIGKILL loses nothing acknowledged), and under {@code always} only after the force. If the
 * append fails, none of its replies is sent: each connection with a write in it gets an error
 * and is closed; nothing of the batch was written.
 */
public final class RespHandler implements Handler {
    private static final System.Logger LOG = System.getLogger(RespHandler.class.getName());
    private static final ByteBuffer MAX_CLIENTS = ByteBuffer.wrap("-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII));

    private final ServerState state;
    private final Commands commands;
    private final Reply reply = new Reply();
    /** Replies to parked clients, built while another client's request is being answered in {@link #reply}. */
    private final Reply wakeReply = new Reply();
    private final Blocking blocking;
    /** Answered waiters with stashed requests to run. */
    private final java.util.ArrayDeque<Session> woken = new java.util.ArrayDeque<>();
    private final List<Session> holding = new ArrayList<>();
    private boolean turnWrote;
    /** Where in {@link #reply} the first reply after a write of the current request batch starts; -1 = no write yet. */
    private int firstWriteReply = -1;
    private int requestStart;
    private final boolean combineWrites;
    private WriteBatch pending;
    private long pendingBytes;
    private final List<Session> pendingSessions = new ArrayList<>();
    private Session current;
    /** Flush the pending batch before it grows past this (one append of at most this much). */
    private static final long MAX_PENDING_BYTES = 4 << 20;
    /** Replies of one read are handed to the connection once they pass this, so a long pipeline is not built whole first. */
    private static final int SEND_EARLY_BYTES = 1 << 20;
    private final QueryBudget queryBudget;
    /** Every open session, for the idle and unauthenticated timeouts. */
    private final java.util.Set<Session> sessions;
    /** Bytes of replies all sessions hold for a force. */
    private long heldTotal;
    private long nextTimeoutCheck;
    private long lastCrossProtocolLog = Long.MIN_VALUE;

    RespHandler(ServerState state) {
        this.state = state;
        this.sessions = state.sessions;
        this.blocking = state.blocking;
        reply.errors = state.commandStats;
        wakeReply.errors = state.commandStats;
        this.commands = new Commands(state, this);
        this.queryBudget = new QueryBudget();
        this.combineWrites = state.cask.options().syncPolicy().combinesWrites();
    }

    @Override
    public void onOpen(Connection connection) {
        state.connectionsReceived++;
        state.connectedClients++;
        Session session = new Session(connection, new RespParser(state.config.protocol(), queryBudget), state.config.requirePass() == null,
                state.cask.options().clock().millis());
        connection.attach(session);
        sessions.add(session);
    }

    @Override
    public ByteBuffer refusal() {
        state.rejectedConnections++;
        return MAX_CLIENTS.duplicate();
    }

    @Override
    public void onData(Connection connection, ByteBuffer input) {
        Session session = (Session) connection.attachment();
        if (session.closing) {
            input.position(input.limit()); // closing: what else it sent is not read
            return;
        }
        state.commandThreads.add(Thread.currentThread().getName()); // once per read, not per command: INFO's proof of one thread
        session.lastReadNanos = System.nanoTime();
        state.netInputBytes += input.remaining();
        if (session.blocked != null) {
            stash(session, input); // as Redis: a blocked client's next requests wait until it is answered
            return;
        }
        process(session, input);
        resumeWoken();
    }

    /** Parses and runs what {@code input} holds for {@code session}, and sends or holds the replies. */
    private void process(Session session, ByteBuffer input) {
        Connection connection = session.connection;
        reply.clear();
        reply.resp3 = session.resp3;
        firstWriteReply = -1;
        current = session;
        long outputLimit = state.config.connections().maxPendingOutput();
        try {
            session.parser.parse(input, args -> {
                requestStart = reply.length();
                reply.limit(outputLimit - connection.pendingOutput() - session.heldBytes); // what this buffer may hold in all
                run(session, args);
                if (blocking.hasReady()) serveReady();
                if (firstWriteReply < 0 && !session.isHeld() && reply.length() > SEND_EARLY_BYTES && !session.closing) {
                    send(connection, reply.slice(0));
                    reply.clear();
                    reply.resp3 = session.resp3;
                }
                enforceAllClientsLimit(session);
                return !session.closing && session.blocked == null;
            });
            enforceAllClientsLimit(session); // a request still arriving counts too
        } catch (ProtocolException e) {
            state.protocolErrors++;
            reply.limit(Long.MAX_VALUE);
            reply.error("ERR Protocol error: " + e.getMessage());
            session.closing = true;
        } catch (Reply.LimitExceeded e) {
            state.outputLimitDisconnections++;
            LOG.log(System.Logger.Level.WARNING, "closed client id=" + connection.id() + " addr=" + connection.peer() + ": " + e.getMessage()
                    + " (" + outputLimit + " bytes, --client-output-buffer-limit)");
            session.aborted = true;
        } catch (RuntimeException | Error e) { // one request's failure must not stop the loop that serves the others
            state.internalErrors++;
            LOG.log(System.Logger.Level.ERROR, "closed client id=" + connection.id() + " addr=" + connection.peer() + " after an internal error", e);
            reply.truncate(requestStart);
            reply.limit(Long.MAX_VALUE);
            reply.error("ERR internal error (" + e.getClass().getSimpleName() + "); this connection is closed, the server goes on");
            session.closing = true;
        }
        if (session.blocked != null && !session.closing) stash(session, input);
        input.position(input.limit());
        current = null;
        if (session.aborted) {
            reply.clear();
            connection.abort();
            return;
        }
        deliver(session);
    }

    /**
     * As Redis's {@code maxmemory-clients}: while all clients' buffers together (unfinished
     * requests, replies queued, built or held for a force) pass the limit, the client holding the
     * most is closed. Evicting the largest, not the one that asked last, keeps a greedy client from
     * making well-behaved ones fail. The scan over all clients runs only when the limit is passed.
     */
    private void enforceAllClientsLimit(Session current) {
        long limit = state.config.queryBudget();
        while (queryBudget.used() + current.connection.serverPendingOutput() + heldTotal + reply.length() > limit) {
            Session biggest = null;
            long most = 0;
            for (Session s : sessions) {
                if (s.closing && s != current) continue;
                long m = s.parser.buffered() + s.connection.pendingOutput() + s.heldBytes + (s == current ? reply.length() : 0);
                if (m > most) {
                    most = m;
                    biggest = s;
                }
            }
            if (biggest == null) return;
            state.evictedClients++;
            LOG.log(System.Logger.Level.WARNING, "closed client id=" + biggest.connection.id() + " addr=" + biggest.connection.peer()
                    + ": all clients' buffers passed --maxmemory-clients (" + limit + " bytes) and it held the most (" + most + " bytes)");
            biggest.parser.release();
            if (biggest == current) {
                current.aborted = true;
                current.closing = true;
                reply.clear();
                return;
            }
            dropHeld(biggest);
            biggest.closing = true;
            biggest.connection.abort();
        }
    }

    /**
     * Keeps what a blocked client sent (or had left after the request that blocked it) until it is
     * answered. Bounded by the query buffer limit and counted with every client's buffers.
     */
    private void stash(Session session, ByteBuffer input) {
        int n = input.remaining();
        if (n == 0) return;
        int have = session.stash == null ? 0 : session.stash.remaining();
        if ((long) have + n > state.config.protocol().maxQueryBuffer()) {
            state.protocolErrors++;
            LOG.log(System.Logger.Level.WARNING, "closed client id=" + session.connection.id() + " addr=" + session.connection.peer()
                    + ": it sent more than the query buffer limit while blocked");
            input.position(input.limit());
            close(session, false);
            return;
        }
        ByteBuffer joined = ByteBuffer.allocate(have + n);
        if (session.stash != null) joined.put(session.stash);
        joined.put(input).flip();
        session.stash = joined;
        queryBudget.take(n);
    }

    /** Drops what a session stashed (it is answered, or closing). */
    private void dropStash(Session session) {
        if (session.stash == null) return;
        queryBudget.release(session.stash.remaining());
        session.stash = null;
    }

    /**
     * Closes a session from outside its own requests: whatever it waited in, held or stashed goes.
     * {@code abort}: at once, dropping what is queued (it passed its output limit).
     */
    private void close(Session session, boolean abort) {
        if (session.blocked != null) blocking.unpark(session.blocked);
        dropStash(session);
        dropHeld(session);
        session.closing = true;
        if (abort) {
            session.aborted = true;
            session.connection.abort();
        } else {
            session.connection.closeAfterWrite();
        }
    }

    /**
     * After a command wrote a collection that parked clients wait for: tries each waiter's command
     * again, first parked first, until the keys are empty or every waiter is answered. A served
     * command's own write (BLMOVE's push) can make more keys ready: they are served in the same
     * pass. Each waiter's failure closes that waiter only.
     */
    private void serveReady() {
        long outputLimit = state.config.connections().maxPendingOutput();
        ByteBuffer key;
        while ((key = blocking.nextReady()) != null) {
            for (Blocking.Waiter w : blocking.waitersOf(key)) {
                Session s = w.session;
                if (s.blocked != w || s.closing) continue;
                wakeReply.clear();
                wakeReply.resp3 = s.resp3;
                wakeReply.limit(outputLimit - s.connection.pendingOutput() - s.heldBytes);
                try {
                    if (!commands.retry(w, wakeReply)) continue;
                } catch (Reply.LimitExceeded e) {
                    state.outputLimitDisconnections++;
                    LOG.log(System.Logger.Level.WARNING, "closed client id=" + s.connection.id() + " addr=" + s.connection.peer() + ": " + e.getMessage());
                    close(s, true);
                    continue;
                } catch (RuntimeException | Error e) {
                    state.internalErrors++;
                    LOG.log(System.Logger.Level.ERROR, "closed client id=" + s.connection.id() + " addr=" + s.connection.peer()
                            + " after an internal error while serving its blocking command", e);
                    close(s, false);
                    continue;
                }
                blocking.unpark(w);
                answer(s, wakeReply, true);
                if (s.stash != null) woken.add(s);
            }
        }
    }

    /** Sends a reply to a client other than the one whose request is being run (a waiter served or timed out), or holds it for the force. */
    private void answer(Session s, Reply r, boolean wrote) {
        if (r.isEmpty()) return;
        boolean hold = (state.holdWritesForForce || combineWrites) && (wrote || s.isHeld());
        if (!hold) {
            send(s.connection, r.slice(0));
            return;
        }
        if (!s.isHeld()) holding.add(s);
        heldTotal += r.length();
        s.hold(r.slice(0));
    }

    /** Answers the waiters whose timeout passed: a nil, as Redis. */
    private void expireWaiters() {
        if (!blocking.anyone()) return;
        for (Blocking.Waiter w : blocking.expired(System.nanoTime())) {
            Session s = w.session;
            if (s.closing) continue;
            wakeReply.clear();
            wakeReply.resp3 = s.resp3;
            wakeReply.limit(Long.MAX_VALUE);
            BlockingCommands.timedOut(wakeReply);
            answer(s, wakeReply, false);
            if (s.stash != null) woken.add(s);
        }
    }

    /** Runs what answered waiters sent while they were blocked, now that they may go on. */
    private void resumeWoken() {
        while (!woken.isEmpty()) {
            Session s = woken.removeFirst();
            if (s.closing || s.blocked != null || s.stash == null) continue;
            ByteBuffer in = s.stash;
            dropStash(s);
            process(s, in);
        }
    }

    @Override
    public int millisUntilDue() {
        return blocking.anyone() ? blocking.millisToNextDeadline(System.nanoTime()) : Integer.MAX_VALUE;
    }

    /** Queues a reply for a connection, counted in INFO's total_net_output_bytes and total_writes_processed. */
    private void send(Connection connection, ByteBuffer bytes) {
        state.netOutputBytes += bytes.remaining();
        state.writesProcessed++;
        connection.send(bytes);
    }

    /** Forgets what a session held for a force (it is being closed). */
    private void dropHeld(Session s) {
        if (s.isHeld()) holding.remove(s);
        heldTotal -= s.heldBytes;
        s.held.clear();
        s.heldBytes = 0;
    }

    /**
     * Cross-protocol scripting: a browser tricked into posting to this port sends an HTTP request
     * whose body would otherwise run as commands. As Redis does, a request named {@code POST} or
     * {@code Host:} closes the connection at once (logged at most once a minute).
     */
    private boolean crossProtocol(Session session, byte[] name) {
        if (name.length != 4 && name.length != 5) return false; // every request passes here: no string unless it could be one
        String text = new String(name, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!text.equalsIgnoreCase("POST") && !text.equalsIgnoreCase("Host:")) return false;
        state.crossProtocolAttempts++;
        long now = System.nanoTime();
        if (lastCrossProtocolLog == Long.MIN_VALUE || now - lastCrossProtocolLog > 60_000_000_000L) {
            lastCrossProtocolLog = now;
            LOG.log(System.Logger.Level.WARNING, "possible SECURITY ATTACK detected: client addr=" + session.connection.peer() + " sent '" + text
                    + "', as a web page posting to this port would (cross-protocol scripting); connection closed");
        }
        session.closing = true;
        return true;
    }

    private void run(Session session, List<byte[]> args) {
        if (crossProtocol(session, args.get(0))) return;
        state.commandsProcessed++;
        session.commands++;
        CommandSpec spec = CommandSpec.find(args.get(0));
        if (spec == null) {
            if (session.queued != null) session.queueError = true; // EXEC then answers EXECABORT
            reply.error(unknownCommand(args));
            return;
        }
        if (!spec.arityFits(args.size())) {
            if (session.queued != null) session.queueError = true;
            state.commandStats.rejected(spec);
            reply.error("ERR wrong number of arguments for '" + spec.lowerName() + "' command");
            return;
        }
        if (!session.authenticated && !spec.hasFlag("no_auth")) {
            state.commandStats.rejected(spec);
            reply.error("NOAUTH Authentication required.");
            return;
        }
        long start = System.nanoTime();
        long errorsBefore = state.commandStats.errorReplies();
        runCommand(spec, session, args);
        long nanos = System.nanoTime() - start;
        state.commandStats.ran(spec, nanos, state.commandStats.errorReplies() > errorsBefore);
        state.slowLog.offer(args, nanos, session);
    }

    /** Runs an admitted command: gathered into the pending batch (a plain SET or MSET), or executed. */
    private void runCommand(CommandSpec spec, Session session, List<byte[]> args) {
        if (combineWrites && !state.cask.writesStopped() && session.queued == null && session.db == 0
                && ((spec == CommandSpec.SET && args.size() == 3) || (spec == CommandSpec.MSET && args.size() % 2 == 1)) && plainKeys(args)
                && !commands.collectionsExist()) { // a SET over a hash must delete it: the full path
            gather(session, args);
            return;
        }
        flushPending();
        if (session.closing) return; // the flush failed and this session had a write in it
        commands.execute(spec, session, args, reply);
    }

    /** Whether every key of a SET or MSET is stored as it is (database 0, not beginning with 00; see {@link KeyNames}). */
    private static boolean plainKeys(List<byte[]> args) {
        for (int i = 1; i < args.size(); i += 2) if (args.get(i).length == 0 || args.get(i)[0] == 0) return false;
        return true;
    }

    /** Adds a plain SET or an MSET to the pending batch, or answers its limit error without adding anything. */
    private void gather(Session session, List<byte[]> args) {
        long bytes = 0;
        try {
            for (int i = 1; i < args.size(); i += 2) {
                state.cask.checkPut(args.get(i), args.get(i + 1));
                bytes += args.get(i).length + args.get(i + 1).length + 64;
            }
        } catch (dev.cask.core.CaskException e) {
            reply.error("ERR " + e.getMessage());
            return;
        }
        if (pending != null && pendingBytes + bytes > MAX_PENDING_BYTES) {
            flushPending();
            if (session.closing) return;
        }
        if (pending == null) pending = new WriteBatch();
        for (int i = 1; i < args.size(); i += 2) pending.put(args.get(i), args.get(i + 1));
        pendingBytes += bytes;
        if (state.watches.anyone()) commands.wroteKeys(args, 1, 2, 0);
        if (!session.inPendingBatch) {
            session.inPendingBatch = true;
            pendingSessions.add(session);
        }
        wrote();
        reply.ok();
    }

    /** Appends the pending batch (one write); on failure no reply that depended on it is ever sent. */
    private void flushPending() {
        if (pending == null) return;
        WriteBatch batch = pending;
        pending = null;
        pendingBytes = 0;
        try {
            state.cask.writeWithoutSync(batch);
            state.combinedAppends++;
        } catch (RuntimeException e) {
            String error = "ERR write failed (" + e.getMessage() + "); nothing of it was written, so it is not acknowledged"
                    + " and this connection is closed";
            for (Session s : pendingSessions) {
                if (s == current) {
                    reply.truncate(firstWriteReply);
                    reply.error(error);
                    s.closing = true;
                } else {
                    failHeld(s, error);
                }
            }
        } finally {
            for (Session s : pendingSessions) s.inPendingBatch = false;
            pendingSessions.clear();
        }
    }

    private void failHeld(Session session, String error) {
        dropHeld(session);
        Reply r = new Reply();
        r.error(error);
        send(session.connection, r.slice(0));
        session.closing = true;
        session.connection.closeAfterWrite();
    }

    /** Called by a command that wrote: its reply, and every later one on this connection, waits for the turn's force. */
    void wrote() {
        turnWrote = true;
        if (firstWriteReply < 0) firstWriteReply = requestStart;
    }

    private void deliver(Session session) {
        Connection connection = session.connection;
        if (!reply.isEmpty()) {
            boolean hold = (state.holdWritesForForce || combineWrites) && (firstWriteReply >= 0 || session.isHeld());
            if (!hold) {
                send(connection, reply.slice(0));
            } else {
                int from = 0;
                // what came before the first write need not wait for a force; without a force to wait for, the held part goes
                // at this turn's end anyway, and one send for both saves a system call per pipeline (MULTI ... EXEC: 2 -> 1)
                if (!session.isHeld() && firstWriteReply > 0 && state.holdWritesForForce) {
                    send(connection, ByteBuffer.wrap(reply.slice(0).array(), 0, firstWriteReply));
                    from = firstWriteReply;
                }
                if (!session.isHeld()) holding.add(session);
                heldTotal += reply.length() - from;
                session.hold(reply.slice(from));
            }
        }
        if (session.closing && !session.isHeld()) connection.closeAfterWrite();
    }

    @Override
    public void onTurnEnd() {
        long now = System.currentTimeMillis();
        state.commandStats.sample(now, state.commandsProcessed);
        state.forces.sample(now, state.cask.forceCount());
        expireWaiters();
        resumeWoken();
        flushPending();
        closeTimedOut();
        Throwable failure = null;
        if (turnWrote && state.holdWritesForForce) {
            state.turnsForced++;
            try {
                state.cask.sync();
            } catch (RuntimeException e) { // never retried: the engine refuses writes from here on
                failure = e;
            }
        }
        // every write of the turn reached the kernel in the flush above, and was forced if the policy asks
        turnWrote = false;
        if (!holding.isEmpty()) releaseHeld(failure);
    }

    /**
     * Sends the replies whose force is done (or fails them all). Works on a snapshot: sending can
     * close a connection at once (a peer that reset, a client past its output limit), and its
     * {@link #onClose} takes it out of {@link #holding}. Changing the list while walking it is what
     * once stopped the loop with a NoSuchElementException.
     */
    private void releaseHeld(Throwable failure) {
        Session[] snapshot = holding.toArray(new Session[0]);
        holding.clear();
        for (Session session : snapshot) {
            if (!session.isHeld()) continue; // closed meanwhile
            if (failure != null) {
                dropHeld(session);
                reply.clear();
                reply.error("ERR force failed (" + failure.getMessage() + "); writes since the last successful force may be lost,"
                        + " so they are not acknowledged and this connection is closed");
                session.closing = true;
                send(session.connection, reply.slice(0));
                session.connection.closeAfterWrite();
            } else {
                heldTotal -= session.heldBytes;
                state.netOutputBytes += session.heldBytes;
                state.writesProcessed += session.held.size();
                session.release();
                if (session.closing) session.connection.closeAfterWrite();
            }
        }
    }

    /** Closes clients idle past {@code timeout} and clients that never authenticated; checked at most a few times a second. */
    private void closeTimedOut() {
        long now = System.nanoTime();
        if (now - nextTimeoutCheck < 0) return;
        nextTimeoutCheck = now + 100_000_000L;
        long idleNanos = state.config.timeoutSeconds() * 1_000_000_000L;
        long authNanos = state.config.authTimeoutMillis() * 1_000_000L;
        List<Session> expired = null;
        for (Session s : sessions) {
            if (s.closing || s.isHeld() || s.blocked != null) continue; // as Redis: a blocked client waits as long as it asked
            boolean idle = idleNanos > 0 && now - s.lastReadNanos > idleNanos;
            boolean neverAuthenticated = !s.authenticated && now - s.connectedNanos > authNanos;
            if (idle || neverAuthenticated) {
                if (expired == null) expired = new ArrayList<>();
                expired.add(s);
            }
        }
        if (expired == null) return;
        for (Session s : expired) {
            state.timedOutClients++;
            s.closing = true;
            s.connection.closeAfterWrite();
        }
    }

    @Override
    public void onClose(Connection connection) {
        state.connectedClients--;
        Session session = (Session) connection.attachment();
        if (session == null) return;
        sessions.remove(session);
        if (session.blocked != null) blocking.unpark(session.blocked);
        dropStash(session);
        session.parser.release();
        dropHeld(session);
        state.watches.unwatchAll(session);
    }

    /** The loop cannot go on: the server asks to stop, and its owner exits non-zero with the reason. */
    @Override
    public void onLoopFailure(Throwable failure) {
        state.loopFailure = failure;
        state.shutdownRequest.run();
    }

    /** Shutdown: one last force on the loop thread, then every held reply goes (or fails). */
    @Override
    public void onStop() {
        flushPending();
        if (holding.isEmpty()) return;
        Throwable failure = null;
        try {
            state.cask.sync();
        } catch (RuntimeException e) {
            failure = e;
        }
        releaseHeld(failure);
    }

    private static String unknownCommand(List<byte[]> args) {
        StringBuilder text = new StringBuilder("ERR unknown command '").append(clip(args.get(0))).append("', with args beginning with: ");
        for (int i = 1; i < args.size() && text.length() < 1024; i++) text.append('\'').append(clip(args.get(i))).append("' ");
        return text.toString();
    }

    private static String clip(byte[] b) {
        return new String(b, 0, Math.min(b.length, 128), StandardCharsets.ISO_8859_1);
    }
}
