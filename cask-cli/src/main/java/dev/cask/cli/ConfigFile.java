package dev.cask.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A configuration file in redis.conf syntax: one {@code name value...} directive per line, names
 * in any case, {@code #} comments, arguments split as Redis splits them (double quotes with
 * backslash escapes, single quotes). A directive given twice keeps its last value, as in Redis.
 * Every directive must be one {@link #KNOWN} names: a typo is an error with its line, never a
 * setting silently ignored.
 */
final class ConfigFile {
    /** The directives the engine and the command line read (see docs/OPERATIONS.md for each). */
    static final Set<String> ENGINE = Set.of("dir", "sync", "appendfsync", "appendonly", "max-file-size", "max-key-size",
            "max-value-size", "use-hints", "auto-merge", "merge-fragmentation", "merge-min-dead-bytes", "reserved-bytes",
            "prepare-ahead", "warm-tail", "recovery-mode", "loglevel", "logfile");
    /** The directives only {@code cask serve} reads; other commands accept and skip them, so that one file serves both. */
    static final Set<String> SERVER = Set.of("port", "bind", "requirepass", "protected-mode", "maxclients", "timeout",
            "proto-max-bulk-len", "max-multibulk-len", "client-query-buffer-limit", "client-output-buffer-limit",
            "maxmemory-clients", "transport", "slowlog-log-slower-than", "slowlog-max-len", "databases", "save", "daemonize",
            "list-cache");
    static final Set<String> KNOWN = union(ENGINE, SERVER);

    private final Path path;
    private final Map<String, Directive> directives;

    /** One line's directive: its lower-case name, its arguments, and where it came from (for errors). */
    record Directive(String name, List<String> args, int line) {}

    private ConfigFile(Path path, Map<String, Directive> directives) {
        this.path = path;
        this.directives = directives;
    }

    static ConfigFile empty() {
        return new ConfigFile(null, Map.of());
    }

    static ConfigFile read(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the config file " + path + ": " + e.getMessage(), e);
        }
        Map<String, Directive> directives = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            List<String> words;
            try {
                words = split(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ":" + (i + 1) + ": " + e.getMessage() + ": " + line, e);
            }
            String name = words.getFirst().toLowerCase(Locale.ROOT);
            if (name.equals("include")) {
                throw new IllegalArgumentException(path + ":" + (i + 1) + ": include is not supported: put every directive in one file");
            }
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException(path + ":" + (i + 1) + ": unknown directive '" + words.getFirst()
                        + "' (Cask reads: " + String.join(", ", KNOWN.stream().sorted().toList()) + ")");
            }
            if (words.size() < 2) throw new IllegalArgumentException(path + ":" + (i + 1) + ": '" + name + "' needs a value");
            Directive d = new Directive(name, List.copyOf(words.subList(1, words.size())), i + 1);
            // Redis keeps one client-output-buffer-limit per client class; the others are kept under their class's name
            String key = name.equals("client-output-buffer-limit") ? name + " " + d.args().getFirst().toLowerCase(Locale.ROOT) : name;
            directives.remove(key); // the last one wins, and keeps its place in the order
            directives.put(key, d);
        }
        return new ConfigFile(path, directives);
    }

    /** The directive's single argument, or null when the file does not set it. */
    String value(String name) {
        Directive d = directives.get(name);
        if (d == null) return null;
        if (d.args().size() != 1) throw error(d, "takes one value, got " + d.args().size());
        return d.args().getFirst();
    }

    /** The whole directive (for those with several arguments), or null. */
    Directive directive(String name) {
        return directives.get(name);
    }

    /**
     * The directive's value through {@code parser}, or null when the file does not set it. A value
     * the parser refuses is an error that names the line: its own message, or "is not KIND" for a
     * number that does not parse.
     */
    <T> T parsed(String name, java.util.function.Function<String, T> parser, String kind) {
        String v = value(name);
        if (v == null) return null;
        try {
            return parser.apply(v);
        } catch (NumberFormatException e) {
            throw error(name, "'" + v + "' is not " + kind);
        } catch (IllegalArgumentException e) {
            throw error(name, e.getMessage());
        }
    }

    Long bytes(String name) {
        return parsed(name, dev.cask.resp.MemorySize::parse, "a byte count");
    }

    Integer integer(String name) {
        return parsed(name, Integer::valueOf, "an integer");
    }

    Double decimal(String name) {
        return parsed(name, Double::valueOf, "a number");
    }

    /** yes or no, as redis.conf spells booleans. */
    Boolean yesNo(String name) {
        String v = value(name);
        if (v == null) return null;
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw error(directives.get(name), "must be yes or no, got '" + v + "'");
        };
    }

    /** An error that names the file, the line and the directive. */
    IllegalArgumentException error(Directive d, String why) {
        return new IllegalArgumentException(path + ":" + d.line() + ": '" + d.name() + "' " + why);
    }

    /** An error for a directive the file sets to a value Cask cannot take. */
    IllegalArgumentException error(String name, String why) {
        return error(directives.get(name), why);
    }

    /** Splits one line into words as Redis's sdssplitargs does. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && Character.isWhitespace(line.charAt(i))) i++;
            if (i == n) return words;
            StringBuilder word = new StringBuilder();
            char quote = 0;
            if (line.charAt(i) == '"' || line.charAt(i) == '\'') quote = line.charAt(i++);
            while (true) {
                if (i == n) {
                    if (quote != 0) throw new IllegalArgumentException("unbalanced quotes");
                    break;
                }
                char c = line.charAt(i);
                if (quote == 0) {
                    if (Character.isWhitespace(c)) break;
                    word.append(c);
                    i++;
                } else if (c == quote) {
                    i++;
                    if (i < n && !Character.isWhitespace(line.charAt(i))) {
                        throw new IllegalArgumentException("a closing quote must be followed by a space");
                    }
                    break;
                } else if (c == '\\' && i + 1 < n) {
                    char next = line.charAt(i + 1);
                    if (quote == '\'') {
                        word.append(next == '\'' ? "'" : "\\" + next);
                        i += 2;
                    } else if (next == 'x' && i + 3 < n && hex(line.charAt(i + 2)) >= 0 && hex(line.charAt(i + 3)) >= 0) {
                        word.append((char) (hex(line.charAt(i + 2)) * 16 + hex(line.charAt(i + 3))));
                        i += 4;
                    } else {
                        word.append(switch (next) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> (char) 7;
                            default -> next;
                        });
                        i += 2;
                    }
                } else {
                    word.append(c);
                    i++;
                }
            }
            words.add(word.toString());
        }
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
