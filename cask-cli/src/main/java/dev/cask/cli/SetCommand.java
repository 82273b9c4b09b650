package dev.cask.cli;

import dev.cask.core.Cask;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "set", mixinStandardHelpOptions = true, description = "Store VALUE under KEY ('-' reads the value from stdin, binary-safe).")
final class SetCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Parameters(index = "1", paramLabel = "VALUE")
    String value;

    @Option(names = "--ttl", paramLabel = "SECONDS", description = "Expire the key after this many seconds.")
    Long ttl;

    @Override
    public Integer call() throws IOException {
        if (ttl != null && ttl <= 0) throw new CommandLine.ParameterException(spec.commandLine(), "--ttl must be a positive number of seconds, got " + ttl);
        byte[] bytes = value.equals("-") ? Bytes.readAll(System.in) : Bytes.utf8(value);
        try (Cask cask = main.open()) {
            long expiry = ttl == null ? 0 : cask.options().clock().millis() + Math.multiplyExact(ttl, 1000L);
            cask.put(Bytes.utf8(key), bytes, expiry);
        }
        return 0;
    }
}
