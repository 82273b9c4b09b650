package dev.cask.lab;

import dev.cask.core.Progress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What each mode loses: after SIGKILL (a child JVM writing on the real disk, killed at a random
 * moment) and after a simulated power cut (the same writer on {@link PowerCutFile}, cut at a
 * random record with the unforced writes dropped, torn or reordered).
 */
public final class LossTrials {
    /** Loss of one mode over its trials: min, median and max of acknowledged records lost, and medians of the rest. */
    public record Summary(String mode, String crash, int trials, long lostMin, long lostMedian, long lostMax, long ackedMedian,
            long validMedian, long tornMedian, long lengthMedian) {}

    private final Path dir;
    private final int recordSize;
    private final int trials;
    private final Random random;
    private final Progress progress;

    public LossTrials(Path dir, int recordSize, int trials, long seed, Progress progress) {
        this.dir = dir;
        this.recordSize = recordSize;
        this.trials = trials;
        this.random = new Random(seed);
        this.progress = progress;
    }

    public static final java.util.List<SyncMode> MODES = java.util.List.of(SyncMode.NO_FSYNC, SyncMode.FSYNC_EACH, SyncMode.FSYNC_10, SyncMode.FSYNC_100, SyncMode.O_SYNC,
        SyncMode.FDATASYNC_EACH, SyncMode.O_DSYNC, SyncMode.FDATASYNC_PREALLOCATED, SyncMode.USER_BUFFERED);

    public List<Summary> killTrials(String classpath) throws IOException, InterruptedException {
        List<Summary> out = new ArrayList<>();
        int step = 0;
        for (SyncMode mode : MODES) {
            List<FileVerdict> verdicts = new ArrayList<>();
            for (int t = 0; t < trials; t++) {
                verdicts.add(killOnce(mode, classpath));
                progress.update(++step, (long) MODES.size() * trials);
            }
            out.add(summarize(mode, "SIGKILL", verdicts));
        }
        return out;
    }

    /** One trial: start a child writing in {@code mode}, SIGKILL it at a random moment, read what is on disk. */
    public FileVerdict killOnce(SyncMode mode, String classpath) throws IOException, InterruptedException {
        Path file = dir.resolve("kill-" + mode.id() + ".dat");
        Files.deleteIfExists(file);
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx128m",
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                KillChild.class.getName(), mode.id(), file.toString(), Integer.toString(recordSize))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader acks = new BufferedReader(new InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        long acked = 0;
        String first = acks.readLine(); // the child is up and writing
        if (first != null) acked = Long.parseLong(first.trim()) + 1;
        long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50 + random.nextInt(250));
        String line;
        while (System.nanoTime() < killAt && (line = acks.readLine()) != null) acked = Long.parseLong(line.trim()) + 1;
        child.toHandle().destroyForcibly(); // SIGKILL; Process.destroy would also close the pipe
        child.waitFor(30, TimeUnit.SECONDS);
        while ((line = acks.readLine()) != null) acked = Long.parseLong(line.trim()) + 1; // acks that left before the kill
        FileVerdict verdict = FileVerdict.of(Files.exists(file) ? Files.readAllBytes(file) : new byte[0], recordSize, acked);
        Files.deleteIfExists(file);
        return verdict;
    }

    public List<Summary> powerCutTrials() throws IOException {
        List<Summary> out = new ArrayList<>();
        for (SyncMode mode : MODES) {
            for (PowerCutFile.Cut cut : PowerCutFile.Cut.values()) {
                List<FileVerdict> verdicts = new ArrayList<>();
                for (int t = 0; t < trials; t++) verdicts.add(powerCutOnce(mode, cut, 20 + random.nextInt(480)));
                out.add(summarize(mode, "power cut: " + cut.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), verdicts));
            }
        }
        return out;
    }

    /** One trial: write {@code records} records in {@code mode} on the model, then cut the power. */
    public FileVerdict powerCutOnce(SyncMode mode, PowerCutFile.Cut cut, int records) throws IOException {
        long preallocated = mode.preallocated() ? (long) (records + 1) * recordSize : 0;
        PowerCutFile file = new PowerCutFile(mode.openSync || mode.openDsync, preallocated);
        long[] acked = new long[1];
        RawWriter writer = new RawWriter(mode, file, recordSize, seq -> acked[0] = seq + 1);
        for (int i = 0; i < records; i++) writer.writeNext(); // the process never closes: the power is gone
        return FileVerdict.of(file.afterCut(cut, random), recordSize, acked[0]);
    }

    private Summary summarize(SyncMode mode, String crash, List<FileVerdict> verdicts) {
        long[] lost = verdicts.stream().mapToLong(FileVerdict::lostRecords).sorted().toArray();
        return new Summary(mode.label, crash, verdicts.size(), lost[0], lost[lost.length / 2], lost[lost.length - 1],
                median(verdicts.stream().mapToLong(FileVerdict::ackedRecords).toArray()),
                median(verdicts.stream().mapToLong(FileVerdict::validRecords).toArray()),
                median(verdicts.stream().mapToLong(FileVerdict::tornRecords).toArray()),
                median(verdicts.stream().mapToLong(FileVerdict::length).toArray()));
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
