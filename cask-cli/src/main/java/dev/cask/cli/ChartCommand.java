package dev.cask.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "chart", mixinStandardHelpOptions = true,
        description = {"Draw a benchmark's chart (PNG) from the raw figures it wrote; bench/charts.sh measures and draws each one for docs/."},
        subcommands = picocli.CommandLine.HelpCommand.class)
final class ChartCommand {
    @Command(name = "merge-latency", mixinStandardHelpOptions = true,
            description = "Put latency over time through merges, from the HdrHistogram log of cask bench merge --latency-log.")
    int mergeLatency(@Parameters(paramLabel = "LOG") Path in, @Parameters(paramLabel = "PNG") Path out) throws IOException {
        Charts.mergeLatency(existing(in), out);
        return done(out);
    }

    @Command(name = "fsync", mixinStandardHelpOptions = true, description = "The fsync cost table as bars, from cask bench fsync --json.")
    int fsync(@Parameters(paramLabel = "JSON") Path in, @Parameters(paramLabel = "PNG") Path out) throws IOException {
        Charts.fsync(existing(in), out);
        return done(out);
    }

    @Command(name = "redis", mixinStandardHelpOptions = true,
            description = "cask/redis per redis-benchmark line, from the raw table bench/resp-vs-redis.sh writes (TSV=FILE).")
    int redis(@Parameters(paramLabel = "TSV") Path in, @Parameters(paramLabel = "PNG") Path out) throws IOException {
        Charts.redis(existing(in), out);
        return done(out);
    }

    @Command(name = "crash", mixinStandardHelpOptions = true, description = "The states a crash leaves, per mode, from cask crashsim --format json.")
    int crash(@Parameters(paramLabel = "JSON") Path in, @Parameters(paramLabel = "PNG") Path out) throws IOException {
        Charts.crash(existing(in), out);
        return done(out);
    }

    private static Path existing(Path in) {
        if (!Files.isRegularFile(in)) throw new IllegalArgumentException(in + " does not exist");
        return in;
    }

    private static int done(Path out) {
        System.out.println("wrote " + out);
        return 0;
    }
}
