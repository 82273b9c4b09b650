package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.core.KeyPattern;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "List the live keys matching GLOB (Redis-style; default *), one per line.")
final class KeysCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "GLOB", defaultValue = "*")
    String glob;

    @Override
    public Integer call() throws IOException {
        KeyPattern pattern = KeyPattern.of(Bytes.utf8(glob));
        BufferedOutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        try (Cask cask = main.open()) {
            cask.forEachKey(key -> {
                if (!pattern.matches(key)) return;
                try {
                    out.write(key);
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        out.flush();
        return 0;
    }
}
