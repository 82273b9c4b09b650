package dev.cask.cli;

import dev.cask.core.BackupResult;
import dev.cask.core.Cask;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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

    @Option(names = "--json", description = "Print the result as one JSON object, keys in a fixed order.")
    boolean json;

    @Override
    public Integer call() {
        BackupResult r;
        long started = System.nanoTime();
        try (Cask cask = main.open(); TerminalProgress progress = TerminalProgress.start("backup")) {
            r = cask.backup(dest, progress);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("destination", r.destination().toAbsolutePath().toString());
            out.put("linked_segments", r.linkedSegments());
            out.put("active_bytes_copied", r.activeBytesCopied());
            out.put("seconds", Math.round(seconds * 1000) / 1000.0);
            System.out.println(Json.write(out));
        } else {
            System.out.printf("backed up to %s: %d closed segment(s) linked, %s of the active segment copied%n", r.destination(),
                    r.linkedSegments(), TerminalProgress.human(r.activeBytesCopied()));
        }
        return 0;
    }
}
