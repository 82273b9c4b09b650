package dev.cask.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure Cask on this machine's disk.",
        subcommands = {BenchEchoCommand.class, BenchTransportsCommand.class, BenchFsyncCommand.class, BenchKeydirCommand.class, BenchOpenCommand.class, BenchMergeCommand.class, BenchStallsCommand.class, BenchTxCommand.class, BenchCollectionsCommand.class, BenchFsCommand.class, BenchHostileCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing benchmark: echo, transports, fsync, keydir, open, merge, stalls, tx, collections, fs or hostile");
    }
}
