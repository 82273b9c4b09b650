package dev.cask.core;

import dev.cask.core.io.OpenMode;
import java.util.Locale;

/**
 * When writes are made durable. The loss bound of each policy is what a power cut can take;
 * a killed process loses nothing under any policy, because every write reaches the kernel
 * before it is acknowledged.
 *
 * <table>
 *   <caption>Policies</caption>
 *   <tr><th>text</th><th>put returns after</th><th>lost on power cut</th></tr>
 *   <tr><td>{@code none}</td><td>the write reached the kernel</td><td>every write not yet forced: the force asked for after each 8 MiB runs while writes go on, and a slow writer may get none; call {@code sync()}</td></tr>
 *   <tr><td>{@code always}</td><td>a force covering it (shared by concurrent writers)</td><td>nothing acknowledged</td></tr>
 *   <tr><td>{@code every:N}</td><td>the write; every Nth write forces first</td><td>at most N-1 acknowledged writes (checked by the crash lab)</td></tr>
 *   <tr><td>{@code interval:MS}</td><td>the write; a background thread forces every MS</td><td>the writes of the last MS ms, plus the time two forces take</td></tr>
 *   <tr><td>{@code osync}, {@code odsync}</td><td>the write, opened {@code O_SYNC} / {@code O_DSYNC}</td><td>nothing acknowledged</td></tr>
 * </table>
 *
 * {@code always}, {@code every:N} and {@code interval:MS} take a {@code :fdatasync} suffix to force
 * with {@code fdatasync} instead of {@code fsync}.
 *
 * <p>Under every policy a background thread also forces the active segment after each 8 MiB of
 * appends, so that no more than that is ever waiting to be written back (see
 * {@code BackgroundSyncer}); a rotation also forces the segment it closes.
 */
public sealed interface SyncPolicy {

    SyncPolicy NONE = new None();

    /** Whether an acknowledged write is already durable. */
    boolean durableOnAck();

    /** How the active segment is opened: {@code O_SYNC} or {@code O_DSYNC} for the open-sync policies. */
    OpenMode openMode();

    /**
     * Whether a caller that appends many writes with {@code writeWithoutSync} and then calls
     * {@code sync()} once (the server's turn) keeps this policy's promise: the server holds the
     * replies for that force under {@code always}, and needs no force under {@code none}. Policies
     * that count writes or open files synchronously are served one write at a time.
     */
    boolean combinesWrites();

    /** Whether the replies to combined writes wait for the force that ends the turn. */
    boolean holdsRepliesForForce();

    /** The background force's period in ms, or 0 when there is none. */
    long intervalMillis();

    /** Whether a force must cover metadata (fsync) or may be data only (fdatasync); a file whose length changed is forced with it anyway. */
    boolean forcesMetadata();

    record None() implements SyncPolicy {
        @Override public boolean durableOnAck() { return false; }
        @Override public OpenMode openMode() { return OpenMode.WRITE; }
        @Override public boolean combinesWrites() { return true; }
        @Override public boolean holdsRepliesForForce() { return false; }
        @Override public long intervalMillis() { return 0; }
        @Override public boolean forcesMetadata() { return true; }
        @Override public String toString() { return "none"; }
    }

    record Always(SyncCall call) implements SyncPolicy {
        @Override public boolean durableOnAck() { return true; }
        @Override public OpenMode openMode() { return OpenMode.WRITE; }
        @Override public boolean combinesWrites() { return true; }
        @Override public boolean holdsRepliesForForce() { return true; }
        @Override public long intervalMillis() { return 0; }
        @Override public boolean forcesMetadata() { return call.metadata(); }
        @Override public String toString() { return "always" + suffix(call); }
    }

    record EveryWrites(int writes, SyncCall call) implements SyncPolicy {
        public EveryWrites {
            if (writes < 1) throw new IllegalArgumentException("every:N needs N >= 1, got " + writes);
        }
        @Override public boolean durableOnAck() { return writes == 1; }
        @Override public OpenMode openMode() { return OpenMode.WRITE; }
        @Override public boolean combinesWrites() { return false; }
        @Override public boolean holdsRepliesForForce() { return false; }
        @Override public long intervalMillis() { return 0; }
        @Override public boolean forcesMetadata() { return call.metadata(); }
        @Override public String toString() { return "every:" + writes + suffix(call); }
    }

    record Interval(long millis, SyncCall call) implements SyncPolicy {
        public Interval {
            if (millis < 1) throw new IllegalArgumentException("interval:MS needs MS >= 1, got " + millis);
        }
        @Override public boolean durableOnAck() { return false; }
        @Override public OpenMode openMode() { return OpenMode.WRITE; }
        @Override public boolean combinesWrites() { return false; }
        @Override public boolean holdsRepliesForForce() { return false; }
        @Override public long intervalMillis() { return millis; }
        @Override public boolean forcesMetadata() { return call.metadata(); }
        @Override public String toString() { return "interval:" + millis + suffix(call); }
    }

    /** Segments opened with {@code O_SYNC} ({@code dataOnly} false) or {@code O_DSYNC}. */
    record OpenSync(boolean dataOnly) implements SyncPolicy {
        @Override public boolean durableOnAck() { return true; }
        @Override public OpenMode openMode() { return dataOnly ? OpenMode.WRITE_DSYNC : OpenMode.WRITE_SYNC; }
        @Override public boolean combinesWrites() { return false; }
        @Override public boolean holdsRepliesForForce() { return false; }
        @Override public long intervalMillis() { return 0; }
        @Override public boolean forcesMetadata() { return true; }
        @Override public String toString() { return dataOnly ? "odsync" : "osync"; }
    }

    static SyncPolicy always() {
        return new Always(SyncCall.FSYNC);
    }

    private static String suffix(SyncCall call) {
        return call == SyncCall.FDATASYNC ? ":fdatasync" : "";
    }

    /**
     * Parses {@code none|always|every:N|interval:MS|osync|odsync}, the first three forced ones
     * optionally followed by {@code :fdatasync} or {@code :fsync}.
     */
    static SyncPolicy parse(String text) {
        String[] parts = text.trim().toLowerCase(Locale.ROOT).split(":", -1);
        String kind = parts[0];
        try {
            return switch (kind) {
                case "none" -> exactly(parts, 1, NONE);
                case "osync" -> exactly(parts, 1, new OpenSync(false));
                case "odsync" -> exactly(parts, 1, new OpenSync(true));
                case "always" -> new Always(call(parts, 1));
                case "every" -> new EveryWrites(Integer.parseInt(arg(parts)), call(parts, 2));
                case "interval" -> new Interval(Long.parseLong(arg(parts)), call(parts, 2));
                default -> throw new IllegalArgumentException("unknown kind '" + kind + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad sync policy '" + text
                    + "' (" + e.getMessage() + "): expected none, always, every:N, interval:MS, osync or odsync,"
                    + " optionally with :fdatasync after always, every:N or interval:MS", e);
        }
    }

    private static SyncPolicy exactly(String[] parts, int count, SyncPolicy policy) {
        if (parts.length != count) throw new IllegalArgumentException("takes no parameter");
        return policy;
    }

    private static String arg(String[] parts) {
        if (parts.length < 2 || parts[1].isEmpty()) throw new IllegalArgumentException("missing number");
        return parts[1];
    }

    private static SyncCall call(String[] parts, int at) {
        if (parts.length == at) return SyncCall.FSYNC;
        if (parts.length > at + 1) throw new IllegalArgumentException("too many parts");
        return switch (parts[at]) {
            case "fsync" -> SyncCall.FSYNC;
            case "fdatasync" -> SyncCall.FDATASYNC;
            default -> throw new IllegalArgumentException("'" + parts[at] + "' is not fsync or fdatasync");
        };
    }
}
