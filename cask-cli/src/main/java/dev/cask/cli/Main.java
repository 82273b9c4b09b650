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
                CheckCommand.class, DumpCommand.class, MergeCommand.class, BackupCommand.class, BenchCommand.class, CrashsimCommand.class, CrashtestCommand.class, EchoCommand.class, ServeCommand.class, ClusterCommand.class, MountCommand.class, CommandLine.HelpCommand.class,
                picocli.AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit codes: 0 ok, 1 missing key or damage found, 2 usage error, 3 failure."})
public final class Main implements Runnable {
    static final int MISSING = 1;
    static final int FAILURE = 3;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "Database directory (default: $CASK_DIR, else ./cask-data).")
    Path dir;

    @Option(names = "--max-file-size", paramLabel = "BYTES",
            description = "Close a segment once it would pass this size (default 2 GiB, at least 64).")
    Long maxFileSize;

    @Option(names = "--sync", paramLabel = "POLICY", converter = SyncPolicyConverter.class,
            description = "none | always | every:N | interval:MS | osync | odsync; always, every:N and interval:MS "
                    + "take :fdatasync to use fdatasync (default none).")
    SyncPolicy sync;

    @Option(names = "--recovery-mode", paramLabel = "MODE", converter = RecoveryModeConverter.class,
            description = "What open does with damage followed by valid records: tolerate-torn-tail (refuse to open; the default),"
                    + " point-in-time (drop everything from the damage on) or skip-damaged (skip the damaged bytes).")
    dev.cask.core.RecoveryMode recoveryMode;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
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
            throw e;
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

    Path directory() {
        if (dir != null) return dir;
        String env = System.getenv("CASK_DIR");
        return Path.of(env != null && !env.isEmpty() ? env : "cask-data");
    }

    CaskOptions options() {
        CaskOptions options = CaskOptions.defaults();
        if (maxFileSize != null) options = options.withMaxFileSize(maxFileSize);
        if (sync != null) options = options.withSyncPolicy(sync);
        if (recoveryMode != null) options = options.withRecoveryMode(recoveryMode);
        return options;
    }

    /** Opens the database, telling stderr what recovery did. */
    Cask open() {
        Cask cask = Cask.open(directory(), options());
        for (String line : cask.recoveryReport().messages()) System.err.println("cask: " + line);
        return cask;
    }

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
