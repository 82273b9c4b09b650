package dev.cask.cli;

import dev.cask.core.Cask;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A soak of {@code cask serve} (the real server, in its own JVM with a bounded heap) under hostile
 * clients beside well-behaved ones. Passes when the well-behaved clients saw no error, the server
 * never failed and is still serving, and every write acknowledged to them is there after it stops.
 */
@Command(name = "hostile", mixinStandardHelpOptions = true,
        description = {"Hostile clients against cask serve beside well-behaved ones: random and adversarial bytes, huge declared lengths,"
                + " slow readers, floods of connections, pipelines past every limit, HTTP requests, resets.",
                "Exit 0 when the well-behaved clients saw no error, the server stayed up within its heap, and every acknowledged write"
                        + " is there after it stops."})
final class BenchHostileCommand implements java.util.concurrent.Callable<Integer> {
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]+:(\\d+)");

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "30", description = "How long the attack lasts (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--heap", paramLabel = "SIZE", defaultValue = "512m", description = "The server's -Xmx (default ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--transport", paramLabel = "T", defaultValue = "nio", description = "The server's transport (default ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "4", description = "Well-behaved clients (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--attackers", paramLabel = "N", defaultValue = "6", description = "Hostile client threads (default ${DEFAULT-VALUE}).")
    int attackers;

    @Mixin
    ScratchOptions scratch;

    enum Attack { GARBAGE, HUGE_LENGTH, EMPTY_BULKS, SLOW_READER, FLOOD, PAST_LIMITS, HTTP, RESET_MID_PIPELINE, HALF_READ }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<Attack, AtomicLong> attacks = new EnumMap<>(Attack.class);
    private final ConcurrentHashMap<String, String> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong goodOps = new AtomicLong();
    private final AtomicLong goodErrors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private int port;
    /** Every hostile socket open now: closed at the stop, so that a thread blocked writing to a server that stopped reading ends. */
    private final java.util.Set<Socket> open = ConcurrentHashMap.newKeySet();

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        open.add(s);
        if (stop.get()) s.close();
        return s;
    }

    private void closeAll() {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || clients < 1 || attackers < 0) throw new IllegalArgumentException("--seconds and --clients must be >= 1, --attackers >= 0");
        for (Attack a : Attack.values()) attacks.put(a, new AtomicLong());
        Path dir = BenchSupport.scratch(scratch.base, "hostile");
        Path log = dir.resolve("serve.log");
        Process server = startServer(dir.resolve("db"), log);
        long peakRss = 0;
        boolean aliveAtEnd;
        int exit;
        try (TerminalProgress progress = TerminalProgress.start("hostile clients")) {
            try (Socket s = new Socket("127.0.0.1", port)) { // the value slow readers ask for
                s.getOutputStream().write(command("SET", "big", "v".repeat(1 << 20)));
                new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            }
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                threads.add(Thread.ofPlatform().name("good-" + c).start(() -> wellBehaved(id)));
            }
            for (int a = 0; a < attackers; a++) {
                long seed = a;
                threads.add(Thread.ofPlatform().name("hostile-" + a).start(() -> hostile(new Random(seed))));
            }
            long start = System.nanoTime();
            while (System.nanoTime() - start < seconds * 1_000_000_000L && server.isAlive()) {
                Thread.sleep(250);
                peakRss = Math.max(peakRss, rss(server.pid()));
                progress.update(System.nanoTime() - start, seconds * 1_000_000_000L);
            }
            stop.set(true);
            closeAll();
            for (Thread t : threads) t.join(30_000);
            aliveAtEnd = server.isAlive() && ping();
        } finally {
            server.destroy(); // SIGTERM: finish replies, sync, close
            if (!server.waitFor(60, TimeUnit.SECONDS)) server.destroyForcibly().waitFor();
        }
        exit = server.exitValue();
        long lost = 0;
        try (Cask cask = Cask.open(dir.resolve("db"))) {
            for (var e : acknowledged.entrySet()) {
                byte[] v = cask.get(e.getKey().getBytes(StandardCharsets.UTF_8));
                if (v == null || !new String(v, StandardCharsets.UTF_8).equals(e.getValue())) lost++;
            }
        }
        String serverLog = Files.readString(log);
        boolean loopFailed = serverLog.contains("event loop failed") || serverLog.contains("OutOfMemoryError") || serverLog.contains("event loop stopped");
        boolean ok = goodErrors.get() == 0 && aliveAtEnd && !loopFailed && lost == 0 && (exit == 0 || exit == 143) && goodOps.get() > 0;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seconds", seconds);
        out.put("transport", transport);
        out.put("serverHeap", heap);
        Map<String, Object> byKind = new LinkedHashMap<>();
        attacks.forEach((k, v) -> byKind.put(k.name().toLowerCase(java.util.Locale.ROOT), v.get()));
        out.put("attacks", byKind);
        out.put("wellBehavedOps", goodOps.get());
        out.put("wellBehavedErrors", goodErrors.get());
        out.put("firstError", firstError.get());
        out.put("acknowledgedKeys", acknowledged.size());
        out.put("lostAfterRestart", lost);
        out.put("serverAliveAtEnd", aliveAtEnd);
        out.put("serverLoopFailed", loopFailed);
        out.put("serverExit", exit);
        out.put("serverPeakRssBytes", peakRss);
        out.put("ok", ok);
        BenchSupport.delete(dir);
        if (scratch.json) {
            System.out.println(Json.write(out));
        } else {
            System.out.printf("%d s, %s, server heap %s: %,d hostile attacks %s%n", seconds, transport, heap,
                    attacks.values().stream().mapToLong(AtomicLong::get).sum(), byKind);
            System.out.printf("well-behaved: %,d operations, %d errors%s; %,d acknowledged keys, %d lost after restart%n", goodOps.get(),
                    goodErrors.get(), firstError.get() == null ? "" : " (first: " + firstError.get() + ")", acknowledged.size(), lost);
            System.out.printf("server: %s at the end, exit %d, peak RSS %,d MB: %s%n", aliveAtEnd ? "serving" : "NOT serving", exit,
                    peakRss >> 20, ok ? "PASS" : "FAIL");
        }
        return ok ? 0 : 1;
    }

    private Process startServer(Path db, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx" + heap,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--dir", db.toString(), "serve", "--port", "0", "--sync", "always", "--transport", transport));
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        Matcher m = line == null ? null : LISTENING.matcher(line);
        if (m == null || !m.find()) {
            p.destroyForcibly();
            throw new IllegalStateException("cask serve did not start: " + line + " " + Files.readString(log));
        }
        port = Integer.parseInt(m.group(1));
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (out.readLine() != null) { /* drain */ }
            } catch (IOException ignored) {
                // gone
            }
        });
        return p;
    }

    /** SET then GET of its own keys, checking every reply; any other reply or a lost connection is an error. */
    private void wellBehaved(int id) {
        Random random = new Random(1000 + id);
        while (!stop.get()) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(30_000);
                s.setTcpNoDelay(true);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (long i = 0; !stop.get(); i++) {
                    String key = "good:" + id + ":" + random.nextInt(500);
                    String value = "value-" + id + "-" + i;
                    out.write(command("SET", key, value));
                    String set = line(in);
                    if (!set.equals("+OK")) {
                        error("SET " + key + " answered " + set);
                        continue;
                    }
                    acknowledged.put(key, value);
                    out.write(command("GET", key));
                    String header = line(in);
                    String got = header.startsWith("$") && !header.equals("$-1") ? line(in) : header;
                    if (!got.equals(value)) error("GET " + key + " answered " + got + ", wanted " + value);
                    goodOps.addAndGet(2);
                }
            } catch (IOException e) {
                if (!stop.get()) error("connection failed: " + e);
            }
        }
    }

    private void error(String what) {
        goodErrors.incrementAndGet();
        firstError.compareAndSet(null, what);
    }

    private void hostile(Random random) {
        Attack[] kinds = Attack.values();
        while (!stop.get()) {
            Attack kind = kinds[random.nextInt(kinds.length)];
            attacks.get(kind).incrementAndGet();
            try {
                attack(kind, random);
            } catch (IOException expected) {
                // the server cut it off: that is the point
            }
        }
    }

    private void attack(Attack kind, Random random) throws IOException {
        try {
            attackOnce(kind, random);
        } finally {
            open.removeIf(Socket::isClosed); // the sockets this attack closed (and any other thread's)
        }
    }

    private void attackOnce(Attack kind, Random random) throws IOException {
        if (kind == Attack.FLOOD) {
            List<Socket> flood = new ArrayList<>();
            try {
                for (int i = 0; i < 500 && !stop.get(); i++) flood.add(connect());
            } finally {
                for (Socket s : flood) s.close();
            }
            return;
        }
        Socket s = connect();
        try (s) {
            s.setSoTimeout(2_000);
            OutputStream out = s.getOutputStream();
            switch (kind) {
                case GARBAGE -> {
                    byte[] junk = new byte[random.nextInt(64 << 10)];
                    random.nextBytes(junk);
                    out.write(junk);
                }
                case HUGE_LENGTH -> {
                    out.write("*3\r\n$3\r\nSET\r\n$1\r\nh\r\n$1073741000\r\n".getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[1 << 20];
                    long until = System.nanoTime() + 300_000_000L;
                    while (System.nanoTime() < until && !stop.get()) out.write(chunk);
                }
                case EMPTY_BULKS -> {
                    out.write("*1048576\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.write("$0\r\n\r\n".repeat(200_000).getBytes(StandardCharsets.US_ASCII));
                }
                case SLOW_READER -> {
                    out.write("GET big\r\n".repeat(3000).getBytes(StandardCharsets.US_ASCII));
                    sleep(500 + random.nextInt(1000)); // and never read
                }
                case PAST_LIMITS -> {
                    out.write("*2000000\r\n".getBytes(StandardCharsets.US_ASCII));
                    Socket t = connect();
                    try (t) {
                        t.setSoTimeout(2_000);
                        t.getOutputStream().write(command("KEYS", "*[" + "a".repeat(100_000) + "]"));
                        String[] mset = new String[1 + 2 * 20_000];
                        mset[0] = "MSET";
                        for (int i = 0; i < 20_000; i++) {
                            mset[1 + 2 * i] = "flood:" + i;
                            mset[2 + 2 * i] = "x";
                        }
                        t.getOutputStream().write(command(mset));
                        drain(t.getInputStream(), 1 << 20);
                    }
                }
                case HTTP -> out.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nFLUSHALL\r\n".getBytes(StandardCharsets.US_ASCII));
                case RESET_MID_PIPELINE -> {
                    s.setSoLinger(true, 0);
                    out.write(new String(command("SET", "r", "v"), StandardCharsets.ISO_8859_1).repeat(1000).getBytes(StandardCharsets.ISO_8859_1));
                }
                case HALF_READ -> {
                    out.write(new String(command("HELLO", "3"), StandardCharsets.ISO_8859_1).concat(new String(command("MGET", "big", "big"), StandardCharsets.ISO_8859_1)).repeat(20)
                            .getBytes(StandardCharsets.ISO_8859_1));
                    drain(s.getInputStream(), random.nextInt(1 << 20));
                }
                default -> { }
            }
        }
    }

    private static void drain(InputStream in, int bytes) throws IOException {
        byte[] sink = new byte[64 << 10];
        int got = 0;
        try {
            while (got < bytes) {
                int n = in.read(sink, 0, Math.min(sink.length, bytes - got));
                if (n < 0) return;
                got += n;
            }
        } catch (java.net.SocketTimeoutException enough) {
            // read what came within the timeout
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean ping() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(command("PING"));
            return line(s.getInputStream()).equals("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') b.write(c);
        if (c < 0) throw new IOException("connection closed by the server");
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static byte[] command(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long rss(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
