package dev.cask.cli;

import dev.cask.net.ServerLimits;
import dev.cask.resp.OutputBufferLimit;
import dev.cask.resp.QueryBudget;
import dev.cask.resp.RespConfig;
import dev.cask.resp.RespLimits;
import dev.cask.resp.RespServer;

/**
 * What {@code cask serve} runs with. Each setting comes from its flag, else (the password only)
 * {@code $CASK_REQUIREPASS}, else the {@code --config} file, else its default; every value is
 * checked here, before the database is opened.
 */
record ServerSettings(String bind, int port, String requirePass, boolean passwordFromArgv, boolean allowUnprotected, int maxClients,
                      Long maxBulk, int maxArray, long maxQueryBuffer, long maxOutput, int timeout, Long queryBudget, String transport,
                      long slowLogSlowerThan, int slowLogMaxLen, Long listCache) {
    static final String PASSWORD_VARIABLE = "CASK_REQUIREPASS";

    static ServerSettings resolve(ServeCommand flags, ConfigFile file) {
        String bind = Main.first(flags.bind, file.value("bind"));
        int port = Main.first(flags.port, file.integer("port"), RespConfig.DEFAULT_PORT);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0 .. 65535, got " + port);
        String env = System.getenv(PASSWORD_VARIABLE);
        String password = flags.requirePass != null ? flags.requirePass : env != null ? env : file.value("requirepass");
        Boolean protectedMode = file.yesNo("protected-mode");
        boolean allowUnprotected = flags.allowUnprotected != null ? flags.allowUnprotected : protectedMode != null && !protectedMode;
        int maxClients = Main.first(flags.maxClients, file.integer("maxclients"), RespConfig.DEFAULT_MAX_CLIENTS);
        if (maxClients < 1) throw new IllegalArgumentException("maxclients must be >= 1, got " + maxClients);
        Long maxBulk = Main.first(flags.maxBulk, file.bytes("proto-max-bulk-len"));
        if (maxBulk != null && maxBulk < 1) throw new IllegalArgumentException("proto-max-bulk-len must be >= 1, got " + maxBulk);
        int maxArray = Main.first(flags.maxArray, file.integer("max-multibulk-len"), 1 << 20);
        if (maxArray < 1) throw new IllegalArgumentException("max-multibulk-len must be >= 1, got " + maxArray);
        long maxQuery = Main.first(flags.maxQueryBuffer, file.bytes("client-query-buffer-limit"), 1L << 30);
        if (maxQuery < RespLimits.MAX_LINE) throw new IllegalArgumentException("client-query-buffer-limit must be >= " + RespLimits.MAX_LINE);
        long maxOutput = flags.maxOutput != null ? (flags.maxOutput == 0 ? Long.MAX_VALUE : flags.maxOutput) : outputLimit(file);
        int timeout = Main.first(flags.timeout, file.integer("timeout"), 0);
        if (timeout < 0) throw new IllegalArgumentException("timeout must be >= 0 seconds, got " + timeout);
        Long budget = Main.first(flags.queryBudget, file.bytes("maxmemory-clients"));
        Long listCache = Main.first(flags.listCache, file.bytes("list-cache"));
        if (listCache != null && listCache < 0) throw new IllegalArgumentException("list-cache must be >= 0 bytes, got " + listCache);
        String transport = Main.first(flags.transport, file.value("transport"));
        dev.cask.net.Transports.check(transport == null ? "nio" : transport);
        Integer slowerThan = file.integer("slowlog-log-slower-than");
        Integer slowLogLength = file.integer("slowlog-max-len");
        if (slowLogLength != null && slowLogLength < 0) throw file.error("slowlog-max-len", "must be >= 0");
        refuseWhatCaskCannotDo(file);
        return new ServerSettings(bind == null ? "127.0.0.1" : bind, port, password, flags.requirePass != null && !flags.requirePass.isEmpty(),
                allowUnprotected, maxClients, maxBulk, maxArray, maxQuery, maxOutput, timeout, budget, transport == null ? "nio" : transport,
                slowerThan == null ? 10_000 : slowerThan, slowLogLength == null ? 128 : slowLogLength, listCache);
    }

    private static long outputLimit(ConfigFile file) {
        ConfigFile.Directive normal = file.directive("client-output-buffer-limit normal");
        if (normal == null) return RespConfig.DEFAULT_MAX_PENDING_OUTPUT;
        try {
            return OutputBufferLimit.normalHardLimit(String.join(" ", normal.args()), RespConfig.DEFAULT_MAX_PENDING_OUTPUT);
        } catch (IllegalArgumentException e) {
            throw file.error(normal, e.getMessage());
        }
    }

    /** Redis directives whose other values would ask for something Cask does not do: refused rather than ignored. */
    private static void refuseWhatCaskCannotDo(ConfigFile file) {
        for (String name : new String[] {"client-output-buffer-limit replica", "client-output-buffer-limit slave", "client-output-buffer-limit pubsub"}) {
            ConfigFile.Directive d = file.directive(name);
            if (d == null) continue;
            try {
                OutputBufferLimit.normalHardLimit(String.join(" ", d.args()), 0);
            } catch (IllegalArgumentException e) {
                throw file.error(d, e.getMessage());
            }
        }
        Integer databases = file.integer("databases");
        if (databases != null && databases != 16) throw file.error("databases", "must be 16: Cask has databases 0 to 15, as Redis's default");
        ConfigFile.Directive save = file.directive("save");
        if (save != null && !(save.args().size() == 1 && save.args().getFirst().isEmpty())) {
            throw file.error(save, "snapshots do not apply: every write is in the log; write save \"\" or remove the line");
        }
        Boolean daemonize = file.yesNo("daemonize");
        if (daemonize != null && daemonize) {
            throw file.error("daemonize", "must be no: run cask serve under a supervisor (packaging/cask.service) instead");
        }
    }

    RespConfig respConfig(int maxValueSize, long authTimeoutMillis) {
        RespLimits defaults = RespLimits.forValues(maxValueSize);
        RespLimits protocol = new RespLimits(maxBulk == null ? defaults.maxBulkLength() : maxBulk, maxArray, maxQueryBuffer);
        ServerLimits connections = new ServerLimits(maxClients, 64 << 10, maxOutput);
        RespConfig config = new RespConfig(bind, port, requirePass, protocol, connections, transport)
                .withTimeouts(timeout, authTimeoutMillis)
                .withQueryBudget(queryBudget == null ? QueryBudget.defaultLimit() : queryBudget);
        return listCache == null ? config : config.withListCache(listCache); // none given: the server's default
    }

    /** The settings that live in the running server rather than in its config record. */
    void applyRunTimeSettings(RespServer server) {
        server.slowLog(slowLogSlowerThan, slowLogMaxLen);
    }
}
