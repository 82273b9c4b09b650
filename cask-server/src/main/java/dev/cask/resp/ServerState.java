package dev.cask.resp;

import dev.cask.core.Cask;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** What the whole server shares: the database, its settings, counters for INFO, and the way to ask it to stop. */
final class ServerState {
    final Cask cask;
    /** The settings in force: CONFIG SET replaces it (loop thread only). */
    RespConfig config;
    /** The process's log, for CONFIG GET/SET loglevel and logfile. */
    final LogSettings log;
    /** Whether a non-loopback bind may go without a password (then CONFIG SET requirepass "" is allowed there). */
    final boolean passwordOptional;
    /** Applies new client and output limits to the event loop (set once the transport runs). */
    java.util.function.Consumer<dev.cask.net.ServerLimits> applyLimits = limits -> {};
    final long startMillis;
    /** Whether replies to writes wait for the loop's turn-end force (the {@code always} policy). */
    final boolean holdWritesForForce;
    final Set<String> commandThreads = new HashSet<>();
    final AtomicBoolean mergeRunning = new AtomicBoolean();
    final AtomicReference<String> lastMergeError = new AtomicReference<>();
    /** Every open session (loop thread only): for CLIENT LIST and KILL, and the idle and unauthenticated timeouts. */
    final Set<Session> sessions = new java.util.LinkedHashSet<>();
    /** Who WATCHes which keys (loop thread only). */
    final Watches watches = new Watches();
    /** Who waits in a blocking pop (loop thread only). */
    final Blocking blocking = new Blocking();
    /** INFO's commandstats, errorstats and instantaneous_ops_per_sec, and SLOWLOG (loop thread only). */
    final CommandStats commandStats = new CommandStats();
    final SlowLog slowLog = new SlowLog();
    /** INFO's instantaneous forces per second (loop thread only). */
    final RateMeter forces = new RateMeter();
    long netInputBytes;
    long netOutputBytes;
    /** Replies handed to connections, each one send (INFO's total_writes_processed). */
    long writesProcessed;
    long usedMemoryPeak;
    /** The engine's expired-key count at the last CONFIG RESETSTAT: INFO's expired_keys counts from there. */
    long expiredKeysAtReset;
    String transportName = "?";
    String ioThread = "?";
    int port;
    long connectionsReceived;
    long rejectedConnections;
    long commandsProcessed;
    long protocolErrors;
    long turnsForced;
    /** Appends of gathered SET/MSET batches (each one write for many requests). */
    long combinedAppends;
    int connectedClients;
    long outputLimitDisconnections;
    long internalErrors;
    long crossProtocolAttempts;
    long timedOutClients;
    long evictedClients;
    /** Why the event loop stopped, if it failed; the server then asks to shut down. */
    volatile Throwable loopFailure;
    volatile Runnable shutdownRequest = () -> {};

    ServerState(Cask cask, RespConfig config, LogSettings log, boolean passwordOptional) {
        this.cask = cask;
        this.config = config;
        this.log = log;
        this.passwordOptional = passwordOptional;
        this.startMillis = cask.options().clock().millis();
        this.holdWritesForForce = cask.options().syncPolicy().holdsRepliesForForce();
    }
}
