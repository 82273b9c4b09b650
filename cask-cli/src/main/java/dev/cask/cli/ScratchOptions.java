package dev.cask.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every scratch-database benchmark shares: where to put the scratch data, and JSON output. */
final class ScratchOptions {
    @Option(names = "--dir", paramLabel = "DIR", description = "Where to create the scratch data (default: the working directory, on the real disk).")
    Path base;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;
}
