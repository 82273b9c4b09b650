package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.net.ServerLimits;
import dev.cask.resp.RespConfig;
import dev.cask.resp.RespLimits;
import dev.cask.resp.RespServer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What a collection costs, per element, in the server's memory and on disk: one collection of
 * each type filled through the real server, then the database reopened (so the in-memory side is
 * rebuilt from the log, as after any restart) and the heap measured after collections, against
 * the heap before it was opened.
 */
@Command(name = "collections", mixinStandardHelpOptions = true,
        description = {"Fill one hash, set, list and sorted set of N elements each through the server, reopen, and measure heap and disk",
                "bytes per element (the keydir's entry and the server's index of members both count)."})
final class BenchCollectionsCommand implements Callable<Integer> {
    @Option(names = "--elements", paramLabel = "N", defaultValue = "1000000", description = "Elements of each type, in all (default ${DEFAULT-VALUE}).")
    long elements;

    @Option(names = "--collections", paramLabel = "C", defaultValue = "1",
            description = "Collections of each type the elements are spread over, N/C each (default ${DEFAULT-VALUE}).")
    long collections;

    @Option(names = "--types", paramLabel = "T", split = ",", defaultValue = "hash,set,list,zset", description = "Which types (default ${DEFAULT-VALUE}).")
    List<String> types;

    @Option(names = "--value-size", paramLabel = "B", defaultValue = "16", description = "Value size of a hash field (default ${DEFAULT-VALUE}).")
    int valueSize;

    @Option(names = "--member-size", paramLabel = "B", defaultValue = "0",
            description = "Pad each member (a hash's field, a set's or sorted set's member, a list's element) to B bytes; 0 leaves member-N as it is (default ${DEFAULT-VALUE}).")
    int memberSize;

    @Mixin
    ScratchOptions scratch;

    private static final String[] TYPES = {"hash", "set", "list", "zset"};

    @Override
    public Integer call() throws Exception {
        if (elements < 1 || valueSize < 0) throw new IllegalArgumentException("--elements must be positive and --value-size at least 0");
        if (collections < 1 || collections > elements) throw new IllegalArgumentException("--collections must be 1 .. --elements, got " + collections);
        if (memberSize < 0 || memberSize > 1 << 20) throw new IllegalArgumentException("--member-size must be 0 .. 1048576, got " + memberSize);
        for (String t : types) if (!List.of(TYPES).contains(t)) throw new IllegalArgumentException("--types: unknown type " + t + " (hash, set, list, zset)");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("elements", elements);
        out.put("collections", collections);
        out.put("memberSize", memberSize);
        for (String type : types) {
            Path dir = BenchSupport.scratch(scratch.base, "collections-" + type);
            try {
                long before = BenchSupport.heapUsedAfterGc();
                long start = System.nanoTime();
                try (Cask cask = Cask.open(dir, CaskOptions.defaults()); RespServer server = start(cask);
                        TerminalProgress progress = TerminalProgress.start("filling a " + type)) {
                    fill(server.port(), type, progress);
                }
                double fillSeconds = BenchSupport.seconds(start);
                long heap;
                long disk;
                double openSeconds;
                try (Cask cask = Cask.open(dir, CaskOptions.defaults())) {
                    long t = System.nanoTime();
                    try (RespServer server = start(cask)) {
                        touch(server.port(), type); // a sorted set's order is built at its first use
                        openSeconds = BenchSupport.seconds(t);
                        heap = BenchSupport.heapUsedAfterGc() - before;
                    }
                    disk = cask.stats().liveBytes();
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("fillSeconds", BenchSupport.round(fillSeconds, 2));
                row.put("reopenSeconds", BenchSupport.round(openSeconds, 2));
                row.put("heapBytesPerElement", BenchSupport.round((double) heap / elements, 1));
                row.put("liveDiskBytesPerElement", BenchSupport.round((double) disk / elements, 1));
                out.put(type, row);
            } finally {
                BenchSupport.delete(dir);
            }
        }
        if (scratch.json) {
            System.out.println(Json.write(out));
        } else {
            out.forEach((k, v) -> System.out.printf("%-22s %s%n", k, v));
        }
        return 0;
    }

    private static RespServer start(Cask cask) throws IOException {
        RespConfig config = new RespConfig("127.0.0.1", 0, null, RespLimits.forValues(cask.options().maxValueSize()),
                new ServerLimits(RespConfig.DEFAULT_MAX_CLIENTS, 64 << 10, RespConfig.DEFAULT_MAX_PENDING_OUTPUT), "nio");
        return RespServer.start(cask, config, false);
    }

    /** Sends the elements in pipelined batches of 1,000 commands of 100 elements each, reading every reply. */
    private void fill(int port, String type, TerminalProgress progress) throws IOException {
        String value = "v".repeat(valueSize);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
            long sent = 0;
            while (sent < elements) {
                StringBuilder batch = new StringBuilder();
                int commands = 0;
                while (commands < 1000 && sent < elements) {
                    long perCollection = (elements + collections - 1) / collections;
                    int n = (int) Math.min(Math.min(100, elements - sent), perCollection - sent % perCollection); // one collection per command
                    String[] words = switch (type) {
                        case "hash" -> new String[2 + 2 * n];
                        case "zset" -> new String[2 + 2 * n];
                        default -> new String[2 + n];
                    };
                    words[0] = switch (type) {
                        case "hash" -> "HSET";
                        case "set" -> "SADD";
                        case "list" -> "RPUSH";
                        default -> "ZADD";
                    };
                    words[1] = key(type, sent / perCollection);
                    int w = 2;
                    for (int i = 0; i < n; i++, sent++) {
                        String member = padded("member-" + sent);
                        switch (type) {
                            case "hash" -> {
                                words[w++] = member;
                                words[w++] = value;
                            }
                            case "zset" -> {
                                words[w++] = Long.toString(sent % 100_000);
                                words[w++] = member;
                            }
                            default -> words[w++] = member;
                        }
                    }
                    batch.append(RespText.command(words));
                    commands++;
                }
                out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < commands; i++) {
                    String reply = RespText.line(in);
                    if (!reply.startsWith(":")) throw new IOException("unexpected reply while filling a " + type + ": " + reply);
                }
                progress.update(sent, elements);
            }
        }
    }

    /** {@code member} padded with '.' to {@code --member-size} bytes, if that is longer. */
    private String padded(String member) {
        return member.length() >= memberSize ? member : member + ".".repeat(memberSize - member.length());
    }

    /** Collection {@code i} of {@code type}: the type's name alone when there is one collection. */
    private String key(String type, long i) {
        return collections == 1 ? type : type + ":" + i;
    }

    private void touch(int port, String type) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            String probe = switch (type) {
                case "hash" -> RespText.command("HLEN", key(type, 0));
                case "set" -> RespText.command("SCARD", key(type, 0));
                case "list" -> RespText.command("LLEN", key(type, 0));
                default -> RespText.command("ZRANGE", key(type, 0), "0", "0");
            };
            socket.getOutputStream().write(probe.getBytes(StandardCharsets.UTF_8));
            RespText.line(new BufferedInputStream(socket.getInputStream()));
        }
    }


}
