package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.core.MergeResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Rewrite the live data of every closed segment into new segments with hint files, and delete the old ones.",
                "Shows progress on a terminal; prints what it reclaimed."})
final class MergeCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        MergeResult r;
        try (Cask cask = main.open(); TerminalProgress progress = TerminalProgress.start("merge")) {
            r = cask.merge(progress);
        }
        if (json) {
            System.out.println(Json.write(java.util.Map.of("inputSegments", r.inputSegments(), "outputSegments", r.outputSegments(),
                    "inputBytes", r.inputBytes(), "outputBytes", r.outputBytes(), "reclaimedBytes", r.reclaimedBytes(),
                    "keysCopied", r.keysCopied(), "expiredDropped", r.expiredDropped(), "millis", r.millis())));
        } else {
            System.out.printf("merged %d segment(s) of %s into %d of %s: reclaimed %s (%d live keys copied, %d expired dropped) in %d ms%n",
                    r.inputSegments(), TerminalProgress.human(r.inputBytes()), r.outputSegments(), TerminalProgress.human(r.outputBytes()),
                    TerminalProgress.human(r.reclaimedBytes()), r.keysCopied(), r.expiredDropped(), r.millis());
        }
        return 0;
    }
}
