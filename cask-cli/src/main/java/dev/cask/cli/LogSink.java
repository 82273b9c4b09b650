package dev.cask.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Where the process's log goes: one line per event, {@code 2026-11-26T11:58:03.123Z WARNING
 * [thread] message}, to stderr or appended to a file, from the level Redis's {@code loglevel}
 * names on. A throwable is one clause on the line; its stack trace is printed only at
 * {@code debug}, when the user asked for it.
 */
final class LogSink {
    static final String DEFAULT_LEVEL = "notice";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static volatile Level threshold = Level.INFO;
    private static volatile String levelName = DEFAULT_LEVEL;
    private static volatile PrintStream out = System.err;
    private static volatile Path file;

    private LogSink() {}

    /** Sets the level (Redis's names) and the target (null: stderr); a file is opened for appending, and created if missing. */
    static synchronized void configure(String level, Path logFile) {
        Level parsed = parseLevel(level);
        PrintStream target = System.err;
        if (logFile != null) {
            try {
                target = new PrintStream(new FileOutputStream(logFile.toFile(), true), true, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot open the log file " + logFile + ": " + e.getMessage(), e);
            }
        }
        PrintStream old = out;
        out = target;
        file = logFile;
        threshold = parsed;
        levelName = level.toLowerCase(Locale.ROOT);
        if (old != System.err) old.close();
    }

    /** Changes the level at run time (CONFIG SET loglevel). */
    static void level(String level) {
        threshold = parseLevel(level);
        levelName = level.toLowerCase(Locale.ROOT);
    }

    static String level() {
        return levelName;
    }

    /** The log file, or "" for stderr, as Redis's CONFIG GET logfile answers. */
    static String file() {
        Path f = file;
        return f == null ? "" : f.toString();
    }

    /** Redis's level names, mapped onto System.Logger's. */
    static Level parseLevel(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "debug" -> Level.TRACE;
            case "verbose" -> Level.DEBUG;
            case "notice" -> Level.INFO;
            case "warning" -> Level.WARNING;
            case "nothing" -> Level.OFF;
            default -> throw new IllegalArgumentException("loglevel must be debug, verbose, notice, warning or nothing, got '" + name + "'");
        };
    }

    static boolean loggable(Level level) {
        return level != Level.OFF && level.getSeverity() >= threshold.getSeverity();
    }

    static void write(Level level, String message, Throwable thrown) {
        if (!loggable(level)) return;
        StringBuilder line = new StringBuilder(96 + message.length());
        TIME.formatTo(Instant.now(), line);
        line.append(' ').append(level.getName()).append(" [").append(Thread.currentThread().getName()).append("] ").append(message);
        if (thrown != null) line.append(message.isEmpty() ? "" : ": ").append(thrown);
        PrintStream target = out;
        synchronized (LogSink.class) {
            target.println(line);
            if (thrown != null && threshold.getSeverity() <= Level.TRACE.getSeverity()) thrown.printStackTrace(target);
            target.flush();
        }
    }
}
