package dev.cask.cli;

import dev.cask.core.Cask;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "del", mixinStandardHelpOptions = true, description = "Delete KEY. Exit 1 if it was missing.")
final class DelCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Override
    public Integer call() {
        try (Cask cask = main.open()) {
            return cask.delete(Bytes.utf8(key)) ? 0 : Main.MISSING;
        }
    }
}
