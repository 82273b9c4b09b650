package dev.cask.resp;

import dev.cask.core.CaskStats;
import dev.cask.core.KeyPattern;
import dev.cask.core.MergeInProgressException;
import dev.cask.core.MergeResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The server and connection commands: INFO, COMMAND, CONFIG, CLIENT, AUTH, HELLO, SHUTDOWN, TIME and maintenance; {@link Commands} dispatches to them. */
final class ServerCommands {
    private static final System.Logger LOG = System.getLogger(ServerCommands.class.getName());
    /** The Redis version whose commands and replies Cask follows; clients read it from INFO and HELLO. */
    static final String REDIS_COMPATIBLE_VERSION = "7.0.0";
    static final String CASK_VERSION = dev.cask.core.CaskVersion.get();

    private final ServerState state;
    private final Keyspaces keyspaces;
    /** The loop's key space, for its keyspace hit and miss counts. */
    private final KeySpace ks;
    /** The lists' windows, for INFO's list cache lines. */
    private final ListWindows listWindows;

    ServerCommands(ServerState state, Keyspaces keyspaces, KeySpace ks, ListWindows listWindows) {
        this.state = state;
        this.keyspaces = keyspaces;
        this.ks = ks;
        this.listWindows = listWindows;
    }

    void slowlog(List<byte[]> a, Reply r) {
        state.slowLog.command(a, r);
    }

    void time(Reply r) {
        long micros = state.cask.options().clock().millis() * 1000;
        r.array(2);
        r.bulk(Long.toString(micros / 1_000_000));
        r.bulk(Long.toString(micros % 1_000_000));
    }

    void shutdown(List<byte[]> a, Reply r) {
        for (int i = 1; i < a.size(); i++) {
            String opt = Commands.upper(a.get(i));
            if (!opt.matches("NOSAVE|SAVE|NOW|FORCE|ABORT")) {
                r.error(Commands.SYNTAX);
                return;
            }
            if (opt.equals("ABORT")) {
                r.error("ERR No shutdown in progress.");
                return;
            }
        }
        // Redis closes the connection without a reply when it shuts down; the stop syncs and closes the database
        state.shutdownRequest.run();
    }

    void merge(CommandSpec spec, Reply r) {
        if (!state.mergeRunning.compareAndSet(false, true)) {
            r.error("ERR Background merge already in progress");
            return;
        }
        Thread.ofPlatform().name("cask-merge").daemon().start(() -> {
            try {
                state.cask.merge();
                state.lastMergeError.set(null);
            } catch (MergeInProgressException e) {
                state.lastMergeError.set(e.getMessage());
            } catch (RuntimeException e) {
                state.lastMergeError.set(e.toString());
                LOG.log(System.Logger.Level.ERROR, "merge failed", e);
            } finally {
                state.mergeRunning.set(false);
            }
        });
        r.simple(spec == CommandSpec.BGREWRITEAOF ? "Background append only file rewriting started" : "Background merge started");
    }

    void auth(Session session, List<byte[]> a, Reply r) {
        if (a.size() > 3) {
            r.error(Commands.SYNTAX);
            return;
        }
        String pass = state.config.requirePass();
        if (pass == null) {
            r.error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
            return;
        }
        if (checkPassword(session, a.size() == 3 ? a.get(1) : null, a.get(a.size() - 1))) r.ok();
        else r.error("WRONGPASS invalid username-password pair or user is disabled.");
    }

    private boolean checkPassword(Session session, byte[] user, byte[] password) {
        boolean userOk = user == null || new String(user, StandardCharsets.UTF_8).equals("default");
        boolean ok = MessageDigest.isEqual(password, state.config.requirePass().getBytes(StandardCharsets.UTF_8)) && userOk;
        if (ok) session.authenticate();
        return ok;
    }

    /** HELLO [protover [AUTH username password] [SETNAME name]]. */
    void hello(Session session, List<byte[]> a, Reply r) {
        int proto = session.resp3 ? 3 : 2;
        int i = 1;
        if (a.size() > 1) {
            long v = Integers.parse(a.get(1));
            if (v == Integers.INVALID) {
                r.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (v != 2 && v != 3) {
                r.error("NOPROTO unsupported protocol version");
                return;
            }
            proto = (int) v;
            i = 2;
        }
        String setName = null;
        for (; i < a.size(); i++) {
            String opt = Commands.upper(a.get(i));
            if (opt.equals("AUTH") && i + 2 < a.size()) {
                if (state.config.requirePass() == null || !checkPassword(session, a.get(i + 1), a.get(i + 2))) {
                    r.error("WRONGPASS invalid username-password pair or user is disabled.");
                    return;
                }
                i += 2;
            } else if (opt.equals("SETNAME") && i + 1 < a.size()) {
                setName = new String(a.get(++i), StandardCharsets.UTF_8);
                if (!validName(setName)) {
                    r.error("ERR Client names cannot contain spaces, newlines or special characters.");
                    return;
                }
            } else {
                r.error("ERR Syntax error in HELLO option '" + new String(a.get(i), StandardCharsets.ISO_8859_1) + "'");
                return;
            }
        }
        if (!session.authenticated) {
            r.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
        }
        if (setName != null) session.name = setName.isEmpty() ? null : setName;
        session.resp3 = proto == 3;
        r.resp3 = session.resp3;
        r.map(7);
        r.bulk("server");
        r.bulk("cask");
        r.bulk("version");
        r.bulk(REDIS_COMPATIBLE_VERSION);
        r.bulk("proto");
        r.integer(proto);
        r.bulk("id");
        r.integer(session.connection.id());
        r.bulk("mode");
        r.bulk("standalone");
        r.bulk("role");
        r.bulk("master");
        r.bulk("modules");
        r.array(0);
    }

    void client(Session session, List<byte[]> a, Reply r) {
        String sub = Commands.upper(a.get(1));
        switch (sub) {
            case "SETNAME" -> {
                if (a.size() != 3) {
                    r.error("ERR wrong number of arguments for 'client|setname' command");
                    return;
                }
                String name = new String(a.get(2), StandardCharsets.UTF_8);
                if (!validName(name)) {
                    r.error("ERR Client names cannot contain spaces, newlines or special characters.");
                    return;
                }
                session.name = name.isEmpty() ? null : name;
                r.ok();
            }
            case "GETNAME" -> r.bulk(session.name == null ? null : session.name.getBytes(StandardCharsets.UTF_8));
            case "ID" -> r.integer(session.connection.id());
            case "SETINFO" -> r.ok(); // library name and version: accepted (Jedis sends them), not kept
            case "INFO" -> r.bulk(clientLine(session));
            case "LIST" -> {
                StringBuilder all = new StringBuilder();
                for (Session s : state.sessions) all.append(clientLine(s));
                r.bulk(all.toString());
            }
            case "KILL" -> kill(session, a, r);
            case "NO-EVICT" -> {
                if (a.size() == 3 && Commands.upper(a.get(2)).matches("ON|OFF")) r.ok(); // Cask evicts no keys and no clients by memory
                else r.error(Commands.SYNTAX);
            }
            default -> r.error("ERR unknown subcommand '" + new String(a.get(1), StandardCharsets.ISO_8859_1) + "'. Try CLIENT HELP.");
        }
    }

    /** CLIENT KILL ip:port (the old form: OK or an error), or CLIENT KILL [ID id] [ADDR ip:port] [SKIPME yes|no] (a count). */
    private void kill(Session self, List<byte[]> a, Reply r) {
        if (a.size() == 3) {
            String addr = new String(a.get(2), StandardCharsets.ISO_8859_1);
            for (Session s : state.sessions) {
                if (s.connection.peer().equals(addr)) {
                    close(s);
                    r.ok();
                    return;
                }
            }
            r.error("ERR No such client");
            return;
        }
        long id = -1;
        String addr = null;
        boolean skipMe = true;
        for (int i = 2; i < a.size(); i += 2) {
            if (i + 1 >= a.size()) {
                r.error(Commands.SYNTAX);
                return;
            }
            String opt = Commands.upper(a.get(i));
            String value = new String(a.get(i + 1), StandardCharsets.ISO_8859_1);
            switch (opt) {
                case "ID" -> {
                    id = Integers.parse(a.get(i + 1));
                    if (id == Integers.INVALID || id <= 0) {
                        r.error("ERR client-id should be greater than 0");
                        return;
                    }
                }
                case "ADDR" -> addr = value;
                case "SKIPME" -> {
                    if (!value.equalsIgnoreCase("yes") && !value.equalsIgnoreCase("no")) {
                        r.error(Commands.SYNTAX);
                        return;
                    }
                    skipMe = value.equalsIgnoreCase("yes");
                }
                default -> {
                    r.error(Commands.SYNTAX);
                    return;
                }
            }
        }
        long killed = 0;
        for (Session s : List.copyOf(state.sessions)) {
            if (id > 0 && s.connection.id() != id) continue;
            if (addr != null && !s.connection.peer().equals(addr)) continue;
            if (skipMe && s == self) continue;
            close(s);
            killed++;
        }
        r.integer(killed);
    }

    /** Closes a client after what it is owed (the killer's own reply included, when it kills itself). */
    private static void close(Session s) {
        s.closing = true;
        s.connection.closeAfterWrite();
    }

    private String clientLine(Session session) {
        return "id=" + session.connection.id() + " addr=" + session.connection.peer() + " name=" + (session.name == null ? "" : session.name)
                + " age=" + (state.cask.options().clock().millis() - session.createdMillis) / 1000 + " db=" + session.db + " resp=" + (session.resp3 ? 3 : 2)
                + " cmd-count=" + session.commands + "\n";
    }

    private static boolean validName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '!' || c > '~') return false;
        }
        return true;
    }

    /** CONFIG GET pattern...: enough for redis-benchmark and redis-cli; CONFIG SET is refused, CONFIG RESETSTAT accepted. */
    void config(List<byte[]> a, Reply r) {
        String sub = Commands.upper(a.get(1));
        switch (sub) {
            case "GET" -> {
                if (a.size() < 3) {
                    r.error("ERR wrong number of arguments for 'config|get' command");
                    return;
                }
                Map<String, String> params = configParams();
                Map<String, String> found = new LinkedHashMap<>();
                for (int i = 2; i < a.size(); i++) {
                    KeyPattern pattern = KeyPattern.of(new String(a.get(i), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
                    params.forEach((k, v) -> {
                        if (pattern.matches(k.getBytes(StandardCharsets.UTF_8))) found.put(k, v);
                    });
                }
                r.map(found.size());
                found.forEach((k, v) -> {
                    r.bulk(k);
                    r.bulk(v);
                });
            }
            case "RESETSTAT" -> { // as Redis: the counters INFO reports start again from zero
                state.commandStats.reset();
                ks.hits = 0;
                ks.misses = 0;
                listWindows.resetCounts();
                state.netInputBytes = 0;
                state.netOutputBytes = 0;
                state.writesProcessed = 0;
                state.usedMemoryPeak = 0;
                state.expiredKeysAtReset = state.cask.expiredKeysRemoved();
                r.ok();
            }
            case "SET" -> configSet(a, r);
            default -> r.error("ERR unknown subcommand '" + new String(a.get(1), StandardCharsets.ISO_8859_1) + "'. Try CONFIG HELP.");
        }
    }

    /** What CONFIG SET may change while the server runs; the rest of {@link #configParams} is fixed at start. */
    static final java.util.Set<String> SETTABLE = java.util.Set.of("maxclients", "timeout", "loglevel", "requirepass", "proto-max-bulk-len",
            "client-query-buffer-limit", "client-output-buffer-limit", "maxmemory-clients", "slowlog-log-slower-than", "slowlog-max-len", "list-cache");

    /**
     * CONFIG SET name value [name value ...]: all or nothing, as Redis 7 (every value is checked
     * before any is applied). New limits apply to every client from its next request on.
     */
    private void configSet(List<byte[]> a, Reply r) {
        if (a.size() < 4 || a.size() % 2 != 0) {
            r.error("ERR wrong number of arguments for 'config|set' command");
            return;
        }
        Map<String, String> changes = new LinkedHashMap<>();
        for (int i = 2; i < a.size(); i += 2) {
            String name = new String(a.get(i), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            if (!SETTABLE.contains(name)) {
                if (configParams().containsKey(name)) {
                    r.error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - Cask sets it at start only (cask serve --help)");
                } else {
                    r.error("ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'");
                }
                return;
            }
            if (changes.put(name, new String(a.get(i + 1), StandardCharsets.UTF_8)) != null) {
                r.error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - duplicate parameter");
                return;
            }
        }
        RespConfig next = state.config;
        Long slowerThan = null;
        Integer slowLogLength = null;
        String logLevel = null;
        for (Map.Entry<String, String> change : changes.entrySet()) {
            String name = change.getKey();
            String value = change.getValue();
            try {
                switch (name) {
                    case "maxclients" -> {
                        long n = integerIn(value, 1, Integer.MAX_VALUE);
                        int allowed = RespServer.maxClientsTheDescriptorsAllow();
                        if (n > allowed) {
                            throw new IllegalArgumentException("The operating system is not able to handle the specified number of clients, try with "
                                    + allowed);
                        }
                        var c = next.connections();
                        next = next.withConnections(new dev.cask.net.ServerLimits((int) n, c.readBufferBytes(), c.maxPendingOutput()));
                    }
                    case "timeout" -> next = next.withTimeouts((int) integerIn(value, 0, Integer.MAX_VALUE), next.authTimeoutMillis());
                    case "loglevel" -> {
                        String level = value.toLowerCase(Locale.ROOT);
                        if (!List.of("debug", "verbose", "notice", "warning", "nothing").contains(level)) {
                            throw new IllegalArgumentException("argument(s) must be one of the following: debug, verbose, notice, warning, nothing");
                        }
                        if (!state.log.changeable()) throw new IllegalArgumentException("the log level is set by the program that embeds the server");
                        logLevel = level;
                    }
                    case "requirepass" -> {
                        if (value.isEmpty() && !state.passwordOptional && !isLoopback(next.bind())) {
                            throw new IllegalArgumentException("the server listens on " + next.bind() + ", not on loopback, and was not started with"
                                    + " --allow-unprotected: it keeps a password");
                        }
                        next = next.withRequirePass(value);
                    }
                    case "proto-max-bulk-len" -> {
                        long n = memoryIn(value, 1L << 20, Long.MAX_VALUE); // Redis's lower bound
                        next = next.withProtocol(new RespLimits(n, next.protocol().maxArrayLength(), next.protocol().maxQueryBuffer()));
                    }
                    case "client-query-buffer-limit" -> {
                        long n = memoryIn(value, 1L << 20, Long.MAX_VALUE);
                        next = next.withProtocol(new RespLimits(next.protocol().maxBulkLength(), next.protocol().maxArrayLength(), n));
                    }
                    case "client-output-buffer-limit" -> {
                        long hard = OutputBufferLimit.normalHardLimit(value, next.connections().maxPendingOutput());
                        var c = next.connections();
                        next = next.withConnections(new dev.cask.net.ServerLimits(c.maxClients(), c.readBufferBytes(), hard));
                    }
                    case "maxmemory-clients" -> next = next.withQueryBudget(memoryIn(value, RespLimits.MAX_LINE, Long.MAX_VALUE));
                    case "list-cache" -> next = next.withListCache(memoryIn(value, 0, Long.MAX_VALUE));
                    case "slowlog-log-slower-than" -> slowerThan = integerIn(value, Long.MIN_VALUE, Long.MAX_VALUE);
                    case "slowlog-max-len" -> slowLogLength = (int) integerIn(value, 0, Integer.MAX_VALUE);
                    default -> throw new IllegalStateException("settable but not handled: " + name);
                }
            } catch (IllegalArgumentException e) {
                r.error("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + e.getMessage());
                return;
            }
        }
        if (logLevel != null) state.log.level(logLevel);
        if (slowerThan != null) state.slowLog.slowerThanMicros = slowerThan;
        if (slowLogLength != null) state.slowLog.maxLen = slowLogLength;
        if (!next.equals(state.config)) {
            state.config = next;
            listWindows.budget(next.listCache());
            state.applyLimits.accept(next.connections());
            for (Session s : state.sessions) s.parser.limits(next.protocol());
        }
        r.ok();
    }

    private static long integerIn(String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument couldn't be parsed into an integer", e);
        }
        if (n < min || n > max) throw new IllegalArgumentException("argument must be between " + min + " and " + max + " inclusive");
        return n;
    }

    private static long memoryIn(String value, long min, long max) {
        long n;
        try {
            n = MemorySize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("argument must be a memory value", e);
        }
        if (n < min || n > max) throw new IllegalArgumentException("argument must be between " + min + " and " + max + " inclusive");
        return n;
    }

    private static boolean isLoopback(String bind) {
        try {
            return java.net.InetAddress.getByName(bind).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private Map<String, String> configParams() {
        RespConfig c = state.config;
        boolean always = state.holdWritesForForce;
        dev.cask.core.CaskOptions o = state.cask.options();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bind", c.bind());
        p.put("port", Integer.toString(state.port));
        p.put("dir", state.cask.directory().toAbsolutePath().toString());
        p.put("databases", Integer.toString(KeyNames.DATABASES));
        p.put("save", "");
        p.put("appendonly", "yes"); // a Bitcask log is an append-only file
        p.put("appendfsync", always ? "always" : o.syncPolicy().toString().startsWith("interval") ? "everysec" : "no");
        p.put("sync", o.syncPolicy().toString());
        p.put("cask-sync", o.syncPolicy().toString()); // the name before the config file existed; kept for scripts that read it
        p.put("protected-mode", state.passwordOptional ? "no" : "yes");
        p.put("maxclients", Integer.toString(c.connections().maxClients()));
        p.put("maxmemory", "0");
        p.put("proto-max-bulk-len", Long.toString(c.protocol().maxBulkLength()));
        p.put("max-multibulk-len", Integer.toString(c.protocol().maxArrayLength()));
        p.put("client-query-buffer-limit", Long.toString(c.protocol().maxQueryBuffer()));
        p.put("client-output-buffer-limit", OutputBufferLimit.format(c.connections().maxPendingOutput()));
        p.put("requirepass", c.requirePass() == null ? "" : "********");
        p.put("timeout", Integer.toString(c.timeoutSeconds()));
        p.put("maxmemory-clients", Long.toString(c.queryBudget()));
        p.put("list-cache", Long.toString(c.listCache()));
        p.put("transport", state.transportName);
        p.put("loglevel", state.log.level());
        p.put("logfile", state.log.file());
        p.put("slowlog-log-slower-than", Long.toString(state.slowLog.slowerThanMicros));
        p.put("slowlog-max-len", Integer.toString(state.slowLog.maxLen));
        p.put("max-file-size", Long.toString(o.maxFileSize()));
        p.put("max-key-size", Integer.toString(o.maxKeySize()));
        p.put("max-value-size", Integer.toString(o.maxValueSize()));
        p.put("use-hints", o.useHints() ? "yes" : "no");
        p.put("auto-merge", o.autoMerge() ? "yes" : "no");
        p.put("merge-fragmentation", Double.toString(o.mergeFragmentation()));
        p.put("merge-min-dead-bytes", Long.toString(o.mergeMinDeadBytes()));
        p.put("reserved-bytes", Long.toString(o.reservedBytes()));
        p.put("prepare-ahead", Long.toString(o.prepareAhead()));
        p.put("warm-tail", o.warmTail() ? "yes" : "no");
        p.put("recovery-mode", o.recoveryMode().cliName());
        return p;
    }

    /** COMMAND, COMMAND COUNT, COMMAND INFO name..., COMMAND DOCS [name...]. */
    void command(List<byte[]> a, Reply r) {
        String sub = a.size() > 1 ? Commands.upper(a.get(1)) : "";
        switch (sub) {
            case "" -> {
                r.array(CommandSpec.values().length);
                for (CommandSpec spec : CommandSpec.values()) commandInfo(spec, r);
            }
            case "COUNT" -> r.integer(CommandSpec.values().length);
            case "INFO" -> {
                r.array(a.size() - 2);
                for (int i = 2; i < a.size(); i++) {
                    CommandSpec spec = CommandSpec.find(a.get(i));
                    if (spec == null) r.nilArray();
                    else commandInfo(spec, r);
                }
            }
            case "DOCS" -> {
                List<CommandSpec> specs = new ArrayList<>();
                if (a.size() == 2) specs.addAll(List.of(CommandSpec.values()));
                for (int i = 2; i < a.size(); i++) {
                    CommandSpec spec = CommandSpec.find(a.get(i));
                    if (spec != null) specs.add(spec);
                }
                r.map(specs.size());
                for (CommandSpec spec : specs) {
                    r.bulk(spec.lowerName());
                    r.map(4);
                    r.bulk("summary");
                    r.bulk(spec.summary);
                    r.bulk("since");
                    r.bulk("1.0.0");
                    r.bulk("group");
                    r.bulk(spec.group);
                    r.bulk("arguments");
                    r.array(0);
                }
            }
            default -> r.error("ERR unknown subcommand '" + new String(a.get(1), StandardCharsets.ISO_8859_1) + "'. Try COMMAND HELP.");
        }
    }

    private static void commandInfo(CommandSpec spec, Reply r) {
        r.array(10);
        r.bulk(spec.lowerName());
        r.integer(spec.arity);
        r.array(spec.flags.size());
        for (String f : spec.flags) r.simple(f);
        r.integer(spec.firstKey);
        r.integer(spec.lastKey);
        r.integer(spec.step);
        r.array(1);
        r.simple("@" + spec.group);
        r.array(0); // tips
        r.array(0); // key specifications
        r.array(0); // subcommands
    }

    /** INFO [section ...]: server, clients, memory, stats, persistence, errorstats, keyspace; commandstats with all or by name, as Redis. */
    String info(List<byte[]> a) {
        List<String> wanted = new ArrayList<>();
        for (int i = 1; i < a.size(); i++) wanted.add(Commands.upper(a.get(i)).toLowerCase(Locale.ROOT));
        boolean all = wanted.isEmpty() || wanted.contains("all") || wanted.contains("everything") || wanted.contains("default");
        StringBuilder out = new StringBuilder();
        if (all || wanted.contains("server")) {
            long uptime = (state.cask.options().clock().millis() - state.startMillis) / 1000;
            out.append("# Server\r\n")
                    .append("redis_version:").append(REDIS_COMPATIBLE_VERSION).append("\r\n")
                    .append("cask_version:").append(CASK_VERSION).append("\r\n")
                    .append("redis_mode:standalone\r\n")
                    .append("os:").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append("\r\n")
                    .append("arch_bits:64\r\n")
                    .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                    .append("java_version:").append(Runtime.version()).append("\r\n")
                    .append("transport:").append(state.transportName).append("\r\n")
                    .append("io_thread:").append(state.ioThread).append("\r\n")
                    .append("tcp_port:").append(state.port).append("\r\n")
                    .append("uptime_in_seconds:").append(uptime).append("\r\n")
                    .append("uptime_in_days:").append(uptime / 86400).append("\r\n")
                    .append("database_dir:").append(state.cask.directory().toAbsolutePath()).append("\r\n\r\n");
        }
        if (all || wanted.contains("clients")) {
            out.append("# Clients\r\n")
                    .append("connected_clients:").append(state.connectedClients).append("\r\n")
                    .append("blocked_clients:").append(state.blocking.parked()).append("\r\n")
                    .append("maxclients:").append(state.config.connections().maxClients()).append("\r\n\r\n");
        }
        if (all || wanted.contains("memory")) {
            Runtime rt = Runtime.getRuntime();
            long used = rt.totalMemory() - rt.freeMemory();
            state.usedMemoryPeak = Math.max(state.usedMemoryPeak, used);
            out.append("# Memory\r\n")
                    .append("used_memory:").append(used).append("\r\n")
                    .append("used_memory_human:").append(human(used)).append("\r\n")
                    .append("used_memory_peak:").append(state.usedMemoryPeak).append("\r\n")
                    .append("used_memory_peak_human:").append(human(state.usedMemoryPeak)).append("\r\n")
                    .append("total_system_memory_heap_max:").append(rt.maxMemory()).append("\r\n")
                    .append("maxmemory:0\r\n")
                    .append("maxmemory_policy:noeviction\r\n")
                    .append("mem_allocator:java-heap\r\n")
                    .append("list_cache_bytes:").append(listWindows.bytes()).append("\r\n")
                    .append("list_cache_max_bytes:").append(listWindows.budget()).append("\r\n")
                    .append("list_cache_windows:").append(listWindows.windows()).append("\r\n\r\n");
        }
        if (all || wanted.contains("stats")) {
            out.append("# Stats\r\n")
                    .append("total_connections_received:").append(state.connectionsReceived).append("\r\n")
                    .append("total_commands_processed:").append(state.commandsProcessed).append("\r\n")
                    .append("rejected_connections:").append(state.rejectedConnections).append("\r\n")
                    .append("protocol_errors:").append(state.protocolErrors).append("\r\n")
                    .append("instantaneous_ops_per_sec:").append(state.commandStats.instantaneousOpsPerSecond()).append("\r\n")
                    .append("total_net_input_bytes:").append(state.netInputBytes).append("\r\n")
                    .append("total_net_output_bytes:").append(state.netOutputBytes).append("\r\n")
                    .append("total_writes_processed:").append(state.writesProcessed).append("\r\n")
                    .append("keyspace_hits:").append(ks.hits).append("\r\n")
                    .append("keyspace_misses:").append(ks.misses).append("\r\n")
                    .append("list_cache_hits:").append(listWindows.hits()).append("\r\n")
                    .append("list_cache_misses:").append(listWindows.misses()).append("\r\n")
                    .append("expired_keys:").append(state.cask.expiredKeysRemoved() - state.expiredKeysAtReset).append("\r\n")
                    .append("total_error_replies:").append(state.commandStats.errorReplies()).append("\r\n")
                    .append("command_threads:").append(state.commandThreads.size()).append("\r\n")
                    .append("command_thread_names:").append(String.join(",", state.commandThreads)).append("\r\n\r\n");
        }
        if (all || wanted.contains("persistence")) {
            CaskStats stats = state.cask.segmentStats(); // not stats(): that walks every key, and INFO is polled
            MergeResult merge = state.cask.lastMerge();
            out.append("# Persistence\r\n")
                    .append("sync_policy:").append(stats.syncPolicy()).append("\r\n")
                    .append("writes_held_for_force:").append(state.holdWritesForForce ? 1 : 0).append("\r\n")
                    .append("turns_forced:").append(state.turnsForced).append("\r\n")
                    .append("combined_appends:").append(state.combinedAppends).append("\r\n")
                    .append("forces:").append(state.cask.forceCount()).append("\r\n")
                    .append("instantaneous_forces_per_sec:").append(state.forces.perSecond()).append("\r\n")
                    .append("writes:").append(state.cask.appendCount()).append("\r\n")
                    .append("writes_per_force:").append(String.format(Locale.ROOT, "%.2f",
                            (double) state.cask.appendCount() / Math.max(1, state.cask.forceCount()))).append("\r\n")
                    .append("writes_stopped:").append(state.cask.writesStopped() ? 1 : 0).append("\r\n")
                    .append("segments:").append(stats.segments().size()).append("\r\n")
                    .append("live_bytes:").append(stats.liveBytes()).append("\r\n")
                    .append("dead_bytes:").append(stats.deadBytes()).append("\r\n")
                    .append("fragmentation:").append(String.format(Locale.ROOT, "%.4f", stats.fragmentation())).append("\r\n")
                    .append("merge_in_progress:").append(state.mergeRunning.get() || state.cask.isMerging() ? 1 : 0).append("\r\n"); // the automatic one too
            if (merge != null) {
                out.append("last_merge_input_segments:").append(merge.inputSegments()).append("\r\n")
                        .append("last_merge_time:").append(merge.finishedAtMillis() / 1000).append("\r\n")
                        .append("last_merge_reclaimed_bytes:").append(merge.reclaimedBytes()).append("\r\n")
                        .append("last_merge_millis:").append(merge.millis()).append("\r\n");
            } else {
                out.append("last_merge:none\r\n");
            }
            String mergeError = state.lastMergeError.get();
            if (mergeError != null) out.append("last_merge_error:").append(mergeError.replace('\n', ' ')).append("\r\n");
            out.append("\r\n");
        }
        if (wanted.contains("all") || wanted.contains("everything") || wanted.contains("commandstats")) state.commandStats.appendCommandStats(out);
        if (wanted.contains("all") || wanted.contains("everything") || wanted.contains("latencystats")) state.commandStats.appendLatencyStats(out);
        if (all || wanted.contains("errorstats")) state.commandStats.appendErrorStats(out);
        if (all || wanted.contains("keyspace")) {
            out.append("# Keyspace\r\n");
            long[][] counts = keyspaces.counts(); // a walk of the keydir: live keys, and those with an expiry, per database
            for (int db = 0; db < counts.length; db++) {
                if (counts[db][0] > 0) out.append("db").append(db).append(":keys=").append(counts[db][0]).append(",expires=").append(counts[db][1]).append(",avg_ttl=0\r\n");
            }
            out.append("\r\n");
        }
        return out.toString();
    }

    /** Bytes as Redis's {@code *_human} fields print them (1.50M). */
    private static String human(long bytes) {
        if (bytes < 1024) return bytes + "B";
        String units = "KMGTP";
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length() - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%c", v, units.charAt(u));
    }
}
