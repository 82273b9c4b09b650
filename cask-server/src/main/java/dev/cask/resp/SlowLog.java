package dev.cask.resp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SLOWLOG: the commands that took longer than {@code slowlog-log-slower-than} (10 ms by
 * default), the newest first, at most {@code slowlog-max-len} (128) of them; each with Redis's
 * fields (id, start time, duration in microseconds, arguments, client address and name), at
 * most 32 arguments of at most 128 bytes, as Redis trims them. Loop thread only.
 */
final class SlowLog {
    static final long DEFAULT_SLOWER_THAN_MICROS = 10_000;
    static final int DEFAULT_MAX_LEN = 128;
    private static final int MAX_ARGS = 32;
    private static final int MAX_ARG_BYTES = 128;

    record Entry(long id, long startSeconds, long micros, List<byte[]> args, String peer, String name) {}

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId;
    /** Volatile: the loop reads them, CONFIG SET on the loop and the owner at start ({@link RespServer#slowLog}) write them. */
    volatile long slowerThanMicros = DEFAULT_SLOWER_THAN_MICROS;
    volatile int maxLen = DEFAULT_MAX_LEN;

    /** Logs the command if it took at least the threshold (a negative threshold logs nothing, 0 logs every command). */
    void offer(List<byte[]> args, long nanos, Session session) {
        if (slowerThanMicros < 0 || nanos / 1000 < slowerThanMicros) return;
        long startMillis = System.currentTimeMillis() - nanos / 1_000_000;
        String peer = session.connection.peer();
        String name = session.name;
        List<byte[]> kept = new ArrayList<>();
        int n = Math.min(args.size(), MAX_ARGS);
        for (int i = 0; i < n; i++) {
            byte[] a = args.get(i);
            if (i == MAX_ARGS - 1 && args.size() > MAX_ARGS) {
                kept.add(("... (" + (args.size() - MAX_ARGS + 1) + " more arguments)").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            } else if (a.length > MAX_ARG_BYTES) {
                byte[] more = ("... (" + (a.length - MAX_ARG_BYTES) + " more bytes)").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] cut = Arrays.copyOf(a, MAX_ARG_BYTES + more.length);
                System.arraycopy(more, 0, cut, MAX_ARG_BYTES, more.length);
                kept.add(cut);
            } else {
                kept.add(a.clone());
            }
        }
        entries.addFirst(new Entry(nextId++, startMillis / 1000, nanos / 1000, kept, peer, name == null ? "" : name));
        while (entries.size() > Math.max(0, maxLen)) entries.removeLast();
    }

    /** SLOWLOG GET [count] (10 by default; -1 = all), SLOWLOG LEN, SLOWLOG RESET, SLOWLOG HELP. */
    void command(List<byte[]> a, Reply r) {
        String sub = a.size() < 2 ? "" : Commands.upper(a.get(1));
        switch (sub) {
            case "GET" -> {
                if (a.size() > 3) {
                    r.error("ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.");
                    return;
                }
                long count = 10;
                if (a.size() == 3) {
                    if (!Integers.valid(a.get(2)) || Integers.parse(a.get(2)) < -1) {
                        r.error("ERR count should be greater than or equal to -1");
                        return;
                    }
                    count = Integers.parse(a.get(2));
                    if (count == -1) count = Long.MAX_VALUE;
                }
                int n = (int) Math.min(count, entries.size());
                r.array(n);
                int i = 0;
                for (Entry e : entries) {
                    if (i++ == n) break;
                    r.array(6);
                    r.integer(e.id());
                    r.integer(e.startSeconds());
                    r.integer(e.micros());
                    r.array(e.args().size());
                    for (byte[] arg : e.args()) r.bulk(arg);
                    r.bulk(e.peer());
                    r.bulk(e.name());
                }
            }
            case "LEN" -> r.integer(entries.size());
            case "RESET" -> {
                entries.clear();
                r.ok();
            }
            case "HELP" -> {
                String[] help = {"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET [<count>]",
                    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).", "LEN", "    Return the length of the slowlog.",
                    "RESET", "    Reset the slowlog.", "HELP", "    Print this help."};
                r.array(help.length);
                for (String h : help) r.simple(h);
            }
            default -> r.error("ERR unknown subcommand '" + (a.size() < 2 ? "" : new String(a.get(1), java.nio.charset.StandardCharsets.ISO_8859_1))
                    + "'. Try SLOWLOG HELP.");
        }
    }
}
