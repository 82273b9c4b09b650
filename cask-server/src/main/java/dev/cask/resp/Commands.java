package dev.cask.resp;

import dev.cask.core.Cask;
import dev.cask.core.CaskException;
import dev.cask.core.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs one command: the one switch over every command Cask answers (no default, so a command no
 * case handles fails the build), and transactions (MULTI, EXEC, DISCARD, WATCH, UNWATCH). A data
 * command reads and writes through a {@link KeySpace}; its writes go to the engine as one batch
 * when it ends, or, inside EXEC, when the transaction ends, so a transaction is all or nothing
 * even across a crash. The loop thread is the only writer besides merges, so a read followed by a
 * write (INCR, SET NX, WATCH) sees no other client in between.
 */
final class Commands {
    static final String SYNTAX = StringCommands.SYNTAX;
    static final String NOT_INTEGER = StringCommands.NOT_INTEGER;

    private final Cask cask;
    private final RespHandler handler;
    private final ServerCommands server;
    private final Watches watches;
    private final Keyspaces keyspaces;
    private final KeyCommands keys;
    /** The one key space of the loop thread, emptied after every command (or transaction). */
    private final KeySpace ks;
    private final Collections collections;
    private final HashCommands hashes;
    private final Blocking blocking;
    /** While a parked command is tried again: it must not park a second time. */
    private boolean retrying;
    /** Set by a retried command that still found nothing to take. */
    private boolean stillWaiting;

    Commands(ServerState state, RespHandler handler) {
        this.cask = state.cask;
        this.handler = handler;
        this.watches = state.watches;
        this.keyspaces = new Keyspaces(cask, this::write);
        this.keys = new KeyCommands(keyspaces);
        this.ks = new KeySpace(cask);
        this.collections = new Collections(cask, state.config.listCache()); // after the keyspace migration Keyspaces ran
        this.server = new ServerCommands(state, keyspaces, ks, collections.listWindows);
        this.hashes = new HashCommands();
        this.blocking = state.blocking;
    }

    /** Whether any collection (or element the sweeper has yet to delete) exists: a plain SET then needs the full path. */
    boolean collectionsExist() {
        return collections.any();
    }

    Watches watches() {
        return watches;
    }

    /** Runs one command outside a transaction (or queues it inside one), then writes what it changed. */
    void execute(CommandSpec spec, Session session, List<byte[]> a, Reply r) {
        if (session.queued != null && !runsInsideMulti(spec)) {
            if (spec.hasFlag("no_multi")) { // SHUTDOWN, SAVE: refused, and the transaction with them
                session.queueError = true;
                r.error("ERR Command not allowed inside a transaction");
                return;
            }
            session.queued.add(new ArrayList<>(a));
            r.simple("QUEUED");
            return;
        }
        ks.countingReads = spec.readonly;
        try {
            runAndWrite(spec, session, a, r);
        } finally {
            ks.countingReads = false;
        }
    }

    /**
     * Runs one command, writes what it changed as one batch, then a batch of the sweeper's; on the
     * engine's limits and failures, answers the error and writes nothing. False, with nothing
     * answered or written, when a retried blocking command still finds nothing to take.
     */
    private boolean runAndWrite(CommandSpec spec, Session session, List<byte[]> a, Reply r) {
        int replyStart = r.length();
        try {
            run(spec, new Call(session, a, ks, r, collections));
            if (stillWaiting) {
                ks.discard();
                r.truncate(replyStart);
                return false;
            }
            commit(r, replyStart);
            sweep();
        } catch (CaskException | IllegalArgumentException | IllegalStateException e) {
            ks.discard(); // the engine's limits and failures: a clear error, nothing written
            r.truncate(replyStart);
            r.error("ERR " + e.getMessage());
        } catch (RuntimeException | Error e) { // the reply passed its limit, or a bug: the handler closes this client
            ks.discard(); // and nothing of its command may ride along with the next command's writes
            ks.transaction(false);
            throw e;
        }
        return true;
    }

    /** Commands that act at once even between MULTI and EXEC. */
    private static boolean runsInsideMulti(CommandSpec spec) {
        return spec == CommandSpec.EXEC || spec == CommandSpec.DISCARD || spec == CommandSpec.MULTI || spec == CommandSpec.WATCH
                || spec == CommandSpec.QUIT;
    }

    /** Writes what the command (or transaction) collected as one batch; if the write fails, its reply becomes the failure. */
    private void commit(Reply r, int replyStart) {
        WriteBatch batch = ks.commit();
        if (batch == null) return;
        try {
            write(batch);
        } catch (RuntimeException e) {
            r.truncate(replyStart);
            r.error("ERR write failed (" + e.getMessage() + "); nothing of it was written");
        }
    }

    /** Every write to the engine passes here: the handler holds the reply for the force, and watchers learn of it. */
    private void write(WriteBatch batch) {
        for (WriteBatch.Op op : batch.ops()) keyspaces.writing(op.key());
        cask.writeWithoutSync(batch);
        collections.applied(batch);
        handler.wrote();
        if (blocking.anyone()) {
            for (WriteBatch.Op op : batch.ops()) if (!op.isDelete() && CollectionKeys.isMeta(op.key())) blocking.written(op.key());
        }
        if (watches.anyone()) for (WriteBatch.Op op : batch.ops()) watches.touched(ByteBuffer.wrap(op.key()));
    }

    /** Tells watchers of keys written outside {@link #write} (the handler's combined SET/MSET batches). */
    void wroteKeys(List<byte[]> args, int first, int step, int db) {
        for (int i = first; i < args.size(); i += step) {
            byte[] key = KeyNames.encode(db, args.get(i));
            keyspaces.writing(key);
            if (watches.anyone()) watches.touched(ByteBuffer.wrap(key));
        }
    }

    /**
     * Deletes one batch of elements of deleted collections, after a command: a DEL of a hash is one
     * record, and its elements go a thousand at a time behind it.
     */
    private void sweep() {
        WriteBatch batch = collections.sweep();
        if (batch == null) return;
        try {
            write(batch);
        } catch (RuntimeException e) {
            // the elements stay, under a version nothing names; the next command's sweep tries again
        }
    }


    private void run(CommandSpec spec, Call c) {
        Reply r = c.r;
        List<byte[]> a = c.a;
        Session session = c.session;
        if (spec == CommandSpec.LCS && (c.collectionAt(1) || c.collectionAt(2))) { // the type first, as Redis checks it; the other string commands check where Redis does
            r.error("ERR The specified keys must contain string values");
            return;
        }
        switch (spec) {
            case PING -> {
                if (a.size() > 2) r.error("ERR wrong number of arguments for 'ping' command");
                else if (a.size() == 2) r.bulk(a.get(1));
                else r.simple("PONG");
            }
            case ECHO -> r.bulk(a.get(1));
            case GET -> StringCommands.get(c);
            case SET -> StringCommands.set(c);
            case SETNX -> StringCommands.setnx(c);
            case SETEX -> StringCommands.setex(c, false);
            case PSETEX -> StringCommands.setex(c, true);
            case GETSET -> StringCommands.getset(c);
            case GETDEL -> StringCommands.getdel(c);
            case GETEX -> StringCommands.getex(c);
            case MGET -> StringCommands.mget(c);
            case MSET -> StringCommands.mset(c, false);
            case MSETNX -> StringCommands.mset(c, true);
            case INCR -> StringCommands.incrBy(c, 1);
            case DECR -> StringCommands.incrBy(c, -1);
            case INCRBY, DECRBY -> {
                Long by = StringCommands.increment(c, spec == CommandSpec.DECRBY);
                if (by != null) StringCommands.incrBy(c, by);
            }
            case INCRBYFLOAT -> StringCommands.incrByFloat(c);
            case APPEND -> StringCommands.append(c);
            case STRLEN -> StringCommands.strlen(c);
            case SETRANGE -> StringCommands.setrange(c);
            case GETRANGE, SUBSTR -> StringCommands.getrange(c);
            case LCS -> StringCommands.lcs(c);
            case DEL, UNLINK -> KeyCommands.del(c);
            case EXISTS, TOUCH -> KeyCommands.exists(c);
            case TYPE -> KeyCommands.type(c);
            case EXPIRE -> KeyCommands.expire(c, 1000, false, "expire");
            case PEXPIRE -> KeyCommands.expire(c, 1, false, "pexpire");
            case EXPIREAT -> KeyCommands.expire(c, 1000, true, "expireat");
            case PEXPIREAT -> KeyCommands.expire(c, 1, true, "pexpireat");
            case TTL -> KeyCommands.ttl(c, true, false);
            case PTTL -> KeyCommands.ttl(c, false, false);
            case EXPIRETIME -> KeyCommands.ttl(c, true, true);
            case PEXPIRETIME -> KeyCommands.ttl(c, false, true);
            case PERSIST -> KeyCommands.persist(c);
            case RENAME -> KeyCommands.rename(c, false);
            case RENAMENX -> KeyCommands.rename(c, true);
            case COPY -> KeyCommands.copy(c);
            case MOVE -> KeyCommands.move(c);
            case RANDOMKEY -> keys.randomkey(c);
            case OBJECT -> KeyCommands.object(c);
            case DUMP -> KeyCommands.dump(c);
            case RESTORE -> KeyCommands.restore(c);
            case WAIT -> wait(c);
            case KEYS -> keys.keys(c);
            case SCAN -> keys.scan(c);
            case DBSIZE -> keys.dbsize(c);
            case FLUSHDB -> keys.flush(c, false);
            case FLUSHALL -> keys.flush(c, true);
            case SELECT -> KeyCommands.select(c);
            case SWAPDB -> keys.swapdb(c);
            case MULTI -> multi(session, r);
            case EXEC -> exec(session, r);
            case DISCARD -> discard(session, r);
            case WATCH -> watch(c);
            case UNWATCH -> {
                watches.unwatchAll(session);
                r.ok();
            }
            case INFO -> r.bulk(server.info(a));
            case COMMAND -> server.command(a, r);
            case CONFIG -> server.config(a, r);
            case CLIENT -> server.client(session, a, r);
            case AUTH -> server.auth(session, a, r);
            case HELLO -> server.hello(session, a, r);
            case QUIT -> {
                r.ok();
                session.closing = true;
            }
            case SHUTDOWN -> server.shutdown(a, r);
            case SAVE, BGSAVE -> {
                cask.sync();
                if (spec == CommandSpec.SAVE) r.ok();
                else r.simple("Background saving started");
            }
            case BGREWRITEAOF, MERGE -> server.merge(spec, r);
            case TIME -> server.time(r);
            case SLOWLOG -> server.slowlog(a, r);
            case HSET -> hashes.hset(c, false);
            case HMSET -> hashes.hset(c, true);
            case HSETNX -> hashes.hsetnx(c);
            case HGET -> hashes.hget(c);
            case HMGET -> hashes.hmget(c);
            case HDEL -> hashes.hdel(c);
            case HEXISTS -> hashes.hexists(c);
            case HLEN -> hashes.hlen(c);
            case HSTRLEN -> hashes.hstrlen(c);
            case HGETALL -> hashes.hgetall(c, true, true);
            case HKEYS -> hashes.hgetall(c, true, false);
            case HVALS -> hashes.hgetall(c, false, true);
            case HINCRBY -> hashes.hincrby(c);
            case HINCRBYFLOAT -> hashes.hincrbyfloat(c);
            case HRANDFIELD -> hashes.hrandfield(c);
            case HSCAN -> hashes.hscan(c);
            case SADD -> SetCommands.sadd(c);
            case SREM -> SetCommands.srem(c);
            case SISMEMBER -> SetCommands.sismember(c);
            case SMISMEMBER -> SetCommands.smismember(c);
            case SCARD -> SetCommands.scard(c);
            case SMEMBERS -> SetCommands.smembers(c);
            case SPOP -> SetCommands.spop(c);
            case SRANDMEMBER -> SetCommands.srandmember(c);
            case SMOVE -> SetCommands.smove(c);
            case SINTER -> SetCommands.combined(c, SetCommands.Op.INTER);
            case SUNION -> SetCommands.combined(c, SetCommands.Op.UNION);
            case SDIFF -> SetCommands.combined(c, SetCommands.Op.DIFF);
            case SINTERSTORE -> SetCommands.store(c, SetCommands.Op.INTER);
            case SUNIONSTORE -> SetCommands.store(c, SetCommands.Op.UNION);
            case SDIFFSTORE -> SetCommands.store(c, SetCommands.Op.DIFF);
            case SINTERCARD -> SetCommands.sintercard(c);
            case SSCAN -> SetCommands.sscan(c);
            case LPUSH -> ListCommands.push(c, true, false);
            case RPUSH -> ListCommands.push(c, false, false);
            case LPUSHX -> ListCommands.push(c, true, true);
            case RPUSHX -> ListCommands.push(c, false, true);
            case LPOP -> ListCommands.pop(c, true);
            case RPOP -> ListCommands.pop(c, false);
            case LLEN -> ListCommands.llen(c);
            case LINDEX -> ListCommands.lindex(c);
            case LRANGE -> ListCommands.lrange(c);
            case LSET -> ListCommands.lset(c);
            case LTRIM -> ListCommands.ltrim(c);
            case LREM -> ListCommands.lrem(c);
            case LINSERT -> ListCommands.linsert(c);
            case LPOS -> ListCommands.lpos(c);
            case LMOVE -> ListCommands.lmove(c, false);
            case RPOPLPUSH -> ListCommands.lmove(c, true);
            case ZADD -> ZSetCommands.zadd(c, false);
            case ZINCRBY -> ZSetCommands.zincrby(c);
            case ZREM -> ZSetCommands.zrem(c);
            case ZSCORE -> ZSetCommands.zscore(c);
            case ZMSCORE -> ZSetCommands.zmscore(c);
            case ZCARD -> ZSetCommands.zcard(c);
            case ZCOUNT -> ZSetCommands.zcount(c);
            case ZRANK -> ZSetCommands.zrank(c, false);
            case ZREVRANK -> ZSetCommands.zrank(c, true);
            case ZRANGE -> ZSetCommands.zrange(c, false);
            case ZRANGESTORE -> ZSetCommands.zrange(c, true);
            case ZPOPMIN -> ZSetCommands.zpop(c, false);
            case ZPOPMAX -> ZSetCommands.zpop(c, true);
            case ZREMRANGEBYRANK -> ZSetCommands.zremrange(c, "RANK");
            case ZREMRANGEBYSCORE -> ZSetCommands.zremrange(c, "SCORE");
            case ZREMRANGEBYLEX -> ZSetCommands.zremrange(c, "LEX");
            case ZSCAN -> ZSetCommands.zscan(c);
            case ZREVRANGE -> ZSetCommands.legacyRange(c, "", true);
            case ZRANGEBYSCORE -> ZSetCommands.legacyRange(c, "BYSCORE", false);
            case ZREVRANGEBYSCORE -> ZSetCommands.legacyRange(c, "BYSCORE", true);
            case ZRANGEBYLEX -> ZSetCommands.legacyRange(c, "BYLEX", false);
            case ZREVRANGEBYLEX -> ZSetCommands.legacyRange(c, "BYLEX", true);
            case ZLEXCOUNT -> ZSetCommands.zlexcount(c);
            case BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BZPOPMIN, BZPOPMAX -> block(spec, c);
            case ZUNIONSTORE -> ZSetCommands.zstore(c, true);
            case ZINTERSTORE -> ZSetCommands.zstore(c, false);
        }
    }

    /**
     * A blocking pop or move: answers at once when there is something to take (or inside EXEC,
     * where it never waits); otherwise parks the client, which gets no reply until a write serves
     * it ({@link #retry}) or its timeout passes.
     */
    private void block(CommandSpec spec, Call c) {
        if (!BlockingCommands.argumentsValid(spec, c)) return;
        long timeout = BlockingCommands.timeoutMillis(c);
        if (timeout < 0 || BlockingCommands.attempt(spec, c)) return;
        if (retrying) {
            stillWaiting = true;
            return;
        }
        if (ks.inTransaction()) {
            BlockingCommands.nothing(spec, c.r);
            return;
        }
        long deadline = 0; // none: wait for ever
        if (timeout > 0 && timeout < Long.MAX_VALUE / 2_000_000) deadline = (System.nanoTime() + timeout * 1_000_000) | 1; // never 0
        blocking.park(c.session, spec, c.a, BlockingCommands.keys(spec, c), deadline);
    }

    /**
     * Tries a parked command again after a write to a key it waits for: true when it answered in
     * {@code r} (and wrote what it took), false when there is still nothing for it.
     */
    boolean retry(Blocking.Waiter w, Reply r) {
        retrying = true;
        stillWaiting = false;
        try {
            return runAndWrite(w.spec, w.session, w.args, r);
        } finally {
            retrying = false;
            stillWaiting = false;
        }
    }

    /** WAIT numreplicas timeout: Cask has no replicas, so it answers at once with 0. */
    private static void wait(Call c) {
        if (!c.isInteger(2)) c.r.error("ERR timeout is not an integer or out of range");
        else if (c.integer(2) < 0) c.r.error("ERR timeout is negative");
        else if (!c.isInteger(1)) c.r.error(NOT_INTEGER);
        else c.r.integer(0);
    }

    private void multi(Session session, Reply r) {
        if (session.queued != null) {
            r.error("ERR MULTI calls can not be nested");
            return;
        }
        session.queued = new ArrayList<>();
        session.queueError = false;
        r.ok();
    }

    private void discard(Session session, Reply r) {
        if (session.queued == null) {
            r.error("ERR DISCARD without MULTI");
            return;
        }
        endTransaction(session);
        r.ok();
    }

    private void watch(Call c) {
        if (c.session.queued != null) {
            c.r.error("ERR WATCH inside MULTI is not allowed");
            return;
        }
        for (int i = 1; i < c.size(); i++) watches.watch(c.session, c.key(i), Math.max(0, c.ks.expiry(c.key(i))));
        c.r.ok();
    }

    /**
     * EXEC: EXECABORT after a queueing error, nil if a watched key changed, else every queued
     * command's reply in one array, their writes in one batch written at the end.
     */
    private void exec(Session session, Reply r) {
        if (session.queued == null) {
            r.error("ERR EXEC without MULTI");
            return;
        }
        List<List<byte[]>> queued = session.queued;
        boolean aborted = session.queueError;
        boolean touched = session.watchTouched || Watches.expiredSinceWatch(session, ks.now());
        endTransaction(session);
        if (aborted) {
            r.error("EXECABORT Transaction discarded because of previous errors.");
            return;
        }
        if (touched) {
            r.nilArray();
            return;
        }
        r.array(queued.size());
        ks.transaction(true);
        try {
            for (List<byte[]> args : queued) {
                CommandSpec spec = CommandSpec.find(args.get(0));
                int before = r.length();
                try {
                    run(spec, new Call(session, args, ks, r, collections));
                } catch (CaskException | IllegalArgumentException | IllegalStateException e) {
                    r.truncate(before); // this command failed whole; the others stand, as in Redis
                    r.error("ERR " + e.getMessage());
                }
            }
        } finally {
            ks.transaction(false);
        }
    }

    private void endTransaction(Session session) {
        session.queued = null;
        session.queueError = false;
        watches.unwatchAll(session);
    }

    static String upper(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }
}
