package dev.cask.cli;

import dev.cask.core.Cask;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Write KEY's value, as raw bytes, to stdout. Exit 1 with nothing on stdout if it is missing.")
final class GetCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Override
    public Integer call() throws IOException {
        byte[] value;
        try (Cask cask = main.open()) {
            value = cask.get(Bytes.utf8(key));
        }
        if (value == null) return Main.MISSING;
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        out.write(value);
        out.flush();
        return 0;
    }
}
