package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.core.CaskException;
import dev.cask.core.CaskOptions;
import dev.cask.core.SyncPolicy;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code cask} command. Exit codes: 0 success, 1 a key was missing or check found damage,
 * 2 a usage error, 3 the operation failed (locked, corrupt, I/O).
 */
@Command(name = "cask", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Cask: a Bitcask storage engine, and the tools that show how it behaves on a real disk.",
        subcommands = {SetCommand.class, GetCommand.class, DelCommand.class, KeysCommand.class, StatsCommand.class,
                CheckCommand.class, DumpCommand.class, MergeCommand.class, BackupCommand.class, BenchCommand.class, CrashsimCommand.class, CrashtestCommand.class, EchoCommand.class, ServeCommand.class, ClusterCommand.class, MountCommand.class, ChartCommand.class, CommandLine.HelpCommand.class,
                picocli.AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit codes: 0 ok, 1 missing key or damage found, 2 usage error, 3 failure."})
public final class Main implements Runnable {
    static final int MISSING = 1;
    static final int FAILURE = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** The subcommands that open a database: they take the global options after their name too ({@code cask get k --dir d}). */
    static final java.util.Set<String> DATABASE_COMMANDS = java.util.Set.of("set", "get", "del", "keys", "stats", "check", "dump",
            "merge", "backup", "serve", "mount");

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read settings from FILE, in redis.conf syntax (see docs/OPERATIONS.md); flags and environment variables win over it.")
    Path configPath;

    @Option(names = "--dir", paramLabel = "DIR", description = "Database directory (default: $CASK_DIR, else the config's dir, else ./cask-data).")
    Path dir;

    @Option(names = "--max-file-size", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Close a segment once it would pass this size (default 2gb, at least 64).")
    Long maxFileSize;

    @Option(names = "--sync", paramLabel = "POLICY", converter = SyncPolicyConverter.class,
            description = "none | always | every:N | interval:MS | osync | odsync; always, every:N and interval:MS "
                    + "take :fdatasync to use fdatasync (default none).")
    SyncPolicy sync;

    @Option(names = "--recovery-mode", paramLabel = "MODE", converter = RecoveryModeConverter.class,
            description = "What open does with damage followed by valid records: tolerate-torn-tail (refuse to open; the default),"
                    + " point-in-time (drop everything from the damage on) or skip-damaged (skip the damaged bytes).")
    dev.cask.core.RecoveryMode recoveryMode;

    @Option(names = "--max-key-size", paramLabel = "BYTES", converter = ByteSize.class, description = "Longest key (default 1kb, at most 65535).")
    Long maxKeySize;

    @Option(names = "--max-value-size", paramLabel = "BYTES", converter = ByteSize.class, description = "Longest value (default 64mb, at most 1gb).")
    Long maxValueSize;

    @Option(names = "--use-hints", negatable = true, description = "Open sealed segments from their hint files (default yes; --no-use-hints scans them).")
    Boolean useHints;

    @Option(names = "--auto-merge", negatable = true, description = "Merge in the background once both thresholds below are passed (default yes).")
    Boolean autoMerge;

    @Option(names = "--merge-fragmentation", paramLabel = "RATIO", description = "Dead bytes / all bytes that allow a background merge (default 0.5).")
    Double mergeFragmentation;

    @Option(names = "--merge-min-dead-bytes", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Dead bytes that allow a background merge (default 256mb).")
    Long mergeMinDeadBytes;

    @Option(names = "--reserved-bytes", paramLabel = "BYTES", converter = ByteSize.class,
            description = "Refuse puts once the disk has less free than this, so deletes and a merge still run (default 64mb; 0: none).")
    Long reservedBytes;

    @Option(names = "--prepare-ahead", paramLabel = "BYTES", converter = ByteSize.class,
            description = "How far past its end the active segment is grown ahead of the writes (default 8mb; 0: never).")
    Long prepareAhead;

    @Option(names = "--warm-tail", negatable = true,
            description = "A thread reads the grown space into the page cache ahead of the writes: lower put latency for more CPU"
                    + " (default yes; no for serve, whose clients share the cores).")
    Boolean warmTail;

    @Option(names = "--loglevel", paramLabel = "LEVEL", description = "debug | verbose | notice | warning | nothing, as Redis's loglevel (default notice).")
    String logLevel;

    @Option(names = "--logfile", paramLabel = "FILE", description = "Append the log to FILE instead of stderr, as Redis's logfile.")
    Path logFile;

    private ConfigFile config;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        Main main = new Main();
        CommandLine cli = commandLine(main);
        cli.setExecutionStrategy(parsed -> {
            try {
                main.startLogging(); // reads --config first: a bad file stops every command before it does anything
            } catch (IllegalArgumentException e) {
                cli.getErr().println("cask: " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (brokenPipe(e)) return CommandLine.ExitCode.OK; // the reader went away (cask keys | head): nothing to say
            if (e instanceof CaskException || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
                cmd.getErr().println("cask: " + e.getMessage());
                return e instanceof IllegalArgumentException ? CommandLine.ExitCode.USAGE : FAILURE;
            }
            if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) { // a full disk, a closed terminal: one line, no trace
                Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
                cmd.getErr().println("cask: " + cause.getMessage());
                return FAILURE;
            }
            // a bug: one line for the user, the stack trace only when asked for
            cmd.getErr().println("cask: internal error: " + e + (LogSink.level().equals("debug") ? "" : " (--loglevel debug prints its stack trace)"));
            if (LogSink.level().equals("debug")) e.printStackTrace(cmd.getErr());
            return FAILURE;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** Whether {@code e} is a write to a pipe whose reader closed it (EPIPE), wrapped or not. */
    static boolean brokenPipe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException && t.getMessage() != null && t.getMessage().contains("Broken pipe")) return true;
        }
        return false;
    }

    /** The whole command tree, the global options shared with the database commands (also what the man pages describe). */
    static CommandLine commandLine(Main main) {
        CommandLine cli = new CommandLine(main);
        shareGlobalOptions(cli);
        return cli;
    }

    /**
     * Adds the global options to each database command, bound to the same fields, so that they
     * may come after the subcommand's name. A command with its own option of the same name
     * (mount's --dir) keeps its own.
     */
    private static void shareGlobalOptions(CommandLine root) {
        for (String name : DATABASE_COMMANDS) {
            CommandLine.Model.CommandSpec sub = root.getSubcommands().get(name).getCommandSpec();
            for (CommandLine.Model.OptionSpec option : root.getCommandSpec().options()) {
                if (option.usageHelp() || option.versionHelp()) continue;
                if (java.util.Arrays.stream(option.names()).anyMatch(n -> sub.findOption(n) != null)) continue;
                sub.addOption(CommandLine.Model.OptionSpec.builder(option).build());
            }
        }
    }

    /** The --config file, read once (empty without --config). */
    ConfigFile config() {
        if (config == null) config = configPath == null ? ConfigFile.empty() : ConfigFile.read(configPath);
        return config;
    }

    /** The flag, else $CASK_DIR, else the config file's dir, else ./cask-data. */
    Path directory() {
        if (dir != null) return dir;
        String env = System.getenv("CASK_DIR");
        if (env != null && !env.isEmpty()) return Path.of(env);
        String fromFile = config().value("dir");
        return Path.of(fromFile != null ? fromFile : "cask-data");
    }

    /** Every engine setting: the flag, else the config file, else the engine's default. */
    CaskOptions options() {
        return options(CaskOptions.defaults().warmTail());
    }

    /** As {@link #options()}, with {@code warmTailDefault} where neither the flag nor the file sets warm-tail. */
    CaskOptions options(boolean warmTailDefault) {
        ConfigFile file = config();
        CaskOptions options = CaskOptions.defaults();
        Long fileSize = first(maxFileSize, file.bytes("max-file-size"));
        if (fileSize != null) options = options.withMaxFileSize(fileSize);
        SyncPolicy policy = sync != null ? sync : syncFromFile(file);
        if (policy != null) options = options.withSyncPolicy(policy);
        dev.cask.core.RecoveryMode mode = recoveryMode != null ? recoveryMode
                : file.parsed("recovery-mode", dev.cask.core.RecoveryMode::parse, "a recovery mode");
        if (mode != null) options = options.withRecoveryMode(mode);
        Long keySize = first(maxKeySize, file.bytes("max-key-size"));
        if (keySize != null) options = options.withMaxKeySize(Math.toIntExact(Math.min(keySize, Integer.MAX_VALUE)));
        Long valueSize = first(maxValueSize, file.bytes("max-value-size"));
        if (valueSize != null) options = options.withMaxValueSize(Math.toIntExact(Math.min(valueSize, Integer.MAX_VALUE)));
        Boolean hints = first(useHints, file.yesNo("use-hints"));
        if (hints != null) options = options.withUseHints(hints);
        Boolean merge = first(autoMerge, file.yesNo("auto-merge"));
        Double fragmentation = first(mergeFragmentation, file.decimal("merge-fragmentation"));
        Long minDead = first(mergeMinDeadBytes, file.bytes("merge-min-dead-bytes"));
        if (merge != null || fragmentation != null || minDead != null) {
            options = options.withAutoMerge(merge != null ? merge : options.autoMerge(),
                    fragmentation != null ? fragmentation : options.mergeFragmentation(), minDead != null ? minDead : options.mergeMinDeadBytes());
        }
        Long reserve = first(reservedBytes, file.bytes("reserved-bytes"));
        if (reserve != null) options = options.withReservedBytes(reserve);
        Long ahead = first(prepareAhead, file.bytes("prepare-ahead"));
        if (ahead != null) options = options.withPrepareAhead(ahead);
        return options.withWarmTail(first(warmTail, file.yesNo("warm-tail"), warmTailDefault));
    }

    /** sync (Cask's policies) or appendfsync (Redis's three words), not both. */
    private static SyncPolicy syncFromFile(ConfigFile file) {
        String appendOnly = file.value("appendonly");
        if (appendOnly != null && !appendOnly.equalsIgnoreCase("yes")) {
            throw file.error("appendonly", "must be yes: a Cask database is an append-only log, always");
        }
        String cask = file.value("sync");
        String redis = file.value("appendfsync");
        if (cask != null && redis != null) throw file.error("appendfsync", "and 'sync' both set the sync policy: keep one");
        if (cask != null) return file.parsed("sync", SyncPolicy::parse, "a sync policy");
        if (redis == null) return null;
        return switch (redis.toLowerCase(java.util.Locale.ROOT)) {
            case "always" -> SyncPolicy.parse("always");
            case "everysec" -> SyncPolicy.parse("interval:1000");
            case "no" -> SyncPolicy.parse("none");
            default -> throw file.error("appendfsync", "must be always, everysec or no, got '" + redis + "'");
        };
    }

    static <T> T first(T flag, T fromFile) {
        return flag != null ? flag : fromFile;
    }

    static <T> T first(T flag, T fromFile, T fallback) {
        return flag != null ? flag : fromFile != null ? fromFile : fallback;
    }

    /** Points the process's log (System.Logger) at --logfile or stderr, at --loglevel, either from the flags or the config file. */
    void startLogging() {
        String level = first(logLevel, config().value("loglevel"));
        String fileName = config().value("logfile");
        Path file = logFile != null ? logFile : fileName == null || fileName.isEmpty() ? null : Path.of(fileName);
        LogSink.configure(level == null ? LogSink.DEFAULT_LEVEL : level, file);
    }

    /** Opens the database, telling the log what recovery did. */
    Cask open() {
        return open(CaskOptions.defaults().warmTail());
    }

    /** Opens the database with {@link #options(boolean)}. */
    Cask open(boolean warmTailDefault) {
        Path at = directory();
        CaskOptions options = options(warmTailDefault);
        Cask cask;
        try (TerminalProgress progress = TerminalProgress.start("opening " + at)) {
            cask = Cask.open(at, options, progress);
        }
        for (String line : cask.recoveryReport().messages()) LOG.log(System.Logger.Level.WARNING, line);
        return cask;
    }

    private static final System.Logger LOG = System.getLogger("dev.cask.cli");

    static final class SyncPolicyConverter implements CommandLine.ITypeConverter<SyncPolicy> {
        @Override
        public SyncPolicy convert(String value) {
            try {
                return SyncPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cask " + dev.cask.core.CaskVersion.get() + " (Java " + Runtime.version() + ")"};
        }
    }

    static final class RecoveryModeConverter implements CommandLine.ITypeConverter<dev.cask.core.RecoveryMode> {
        @Override
        public dev.cask.core.RecoveryMode convert(String value) {
            try {
                return dev.cask.core.RecoveryMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
