package dev.cask.cli;

import dev.cask.core.BackupResult;
import dev.cask.core.Cask;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Make a consistent copy of the database in DEST (new or empty): closed segments are hard-linked,",
                "the active one copied up to a forced offset. The copy holds exactly the writes made before it began."})
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "DEST")
    Path dest;

    @Override
    public Integer call() {
        BackupResult r;
        try (Cask cask = main.open()) {
            r = cask.backup(dest);
        }
        System.out.printf("backed up to %s: %d closed segment(s) linked, %s of the active segment copied%n", r.destination(),
                r.linkedSegments(), TerminalProgress.human(r.activeBytesCopied()));
        return 0;
    }
}
