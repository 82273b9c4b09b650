package dev.cask.lab;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.Progress;
import dev.cask.core.SyncPolicy;
import dev.cask.core.io.DataFile;
import dev.cask.core.io.ForwardingDataFile;
import dev.cask.core.io.ForwardingFileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code cask bench fsync}: records per second, system calls per record and latency for each
 * raw mode, then for the Cask engine under each sync policy with its ratio to the raw row of the
 * same mode. Every mode starts from a fresh file after a {@code sync}.
 */
public final class FsyncTable {
    /** The engine's policies and the raw mode each is compared with. */
    public static final Map<String, SyncMode> ENGINE_POLICIES = new LinkedHashMap<>();

    static {
        ENGINE_POLICIES.put("none", SyncMode.NO_FSYNC);
        ENGINE_POLICIES.put("always", SyncMode.FSYNC_EACH);
        ENGINE_POLICIES.put("every:10", SyncMode.FSYNC_10);
        ENGINE_POLICIES.put("every:100", SyncMode.FSYNC_100);
        ENGINE_POLICIES.put("osync", SyncMode.O_SYNC);
        ENGINE_POLICIES.put("always:fdatasync", SyncMode.FDATASYNC_EACH);
        ENGINE_POLICIES.put("odsync", SyncMode.O_DSYNC);
    }

    private final Path dir;
    private final int records;
    private final int recordSize;
    private final Progress progress;

    public FsyncTable(Path dir, int records, int recordSize, Progress progress) {
        if (records < 1) throw new IllegalArgumentException("--records must be at least 1");
        if (recordSize < LabRecord.MIN_SIZE) throw new IllegalArgumentException("--record-size must be at least " + LabRecord.MIN_SIZE);
        if ((long) records * recordSize > 1L << 30) {
            throw new IllegalArgumentException("--records x --record-size must be at most 1 GiB (records are encoded in memory before timing)");
        }
        this.dir = dir;
        this.records = records;
        this.recordSize = recordSize;
        this.progress = progress;
    }

    public List<FsyncRow> run(boolean withEngine) throws IOException, InterruptedException {
        List<FsyncRow> rows = new ArrayList<>();
        int steps = SyncMode.TABLE.size() + (withEngine ? ENGINE_POLICIES.size() : 0);
        int step = 0;
        warmUp(withEngine);
        Map<SyncMode, FsyncRow> raw = new LinkedHashMap<>();
        for (SyncMode mode : SyncMode.TABLE) {
            FsyncRow row = rawRow(mode);
            raw.put(mode, row);
            rows.add(row);
            progress.update(++step, steps);
        }
        if (withEngine) {
            for (Map.Entry<String, SyncMode> e : ENGINE_POLICIES.entrySet()) {
                rows.add(engineRow(e.getKey(), raw.get(e.getValue())));
                progress.update(++step, steps);
            }
        }
        return rows;
    }

    /**
     * Runs the raw writer and the engine unmeasured first: the first mode of a cold JVM otherwise
     * measured the interpreter (no fsync at 48k records/s instead of ~200k).
     */
    private void warmUp(boolean withEngine) throws IOException, InterruptedException {
        Path file = dir.resolve("warm-up.dat");
        try (RawWriter writer = new RawWriter(SyncMode.NO_FSYNC, RawWriter.openReal(file, SyncMode.NO_FSYNC, 0), recordSize, seq -> {})) {
            for (int i = 0; i < 20_000; i++) writer.writeNext();
        }
        Files.deleteIfExists(file);
        if (withEngine) {
            Path db = dir.resolve("warm-up-engine");
            try (Cask cask = Cask.open(db, CaskOptions.defaults().withAutoMerge(false, 0.5, 0))) {
                byte[] value = new byte[recordSize - 26 - 16];
                for (int i = 0; i < 20_000; i++) cask.put(String.format("%016d", i % 1000).getBytes(java.nio.charset.StandardCharsets.US_ASCII), value);
            }
            deleteTree(db);
        }
    }

    /** Every record of a run, encoded before the timing starts (fio writes a prepared buffer too). */
    private ByteBuffer encodedRecords() {
        ByteBuffer all = ByteBuffer.allocateDirect(records * recordSize);
        ByteBuffer one = ByteBuffer.allocateDirect(recordSize);
        for (int i = 0; i < records; i++) {
            LabRecord.encode(one, i);
            all.put(i * recordSize, one.clear(), 0, recordSize);
        }
        return all;
    }

    /** Runs {@code sync} so that one mode's dirty pages do not land in the next mode's timing. */
    static void syncEverything() throws IOException, InterruptedException {
        new ProcessBuilder("sync").inheritIO().start().waitFor();
    }

    private FsyncRow rawRow(SyncMode mode) throws IOException, InterruptedException {
        Path file = dir.resolve("fsync-" + mode.id() + ".dat");
        Files.deleteIfExists(file);
        syncEverything();
        long[] latency = new long[records];
        ByteBuffer encoded = encodedRecords();
        RawWriter writer = new RawWriter(mode, RawWriter.openReal(file, mode, (long) records * recordSize), recordSize, seq -> {});
        long start = System.nanoTime();
        try (writer) {
            for (int i = 0; i < records; i++) {
                ByteBuffer record = encoded.slice(i * recordSize, recordSize);
                long t = System.nanoTime();
                writer.writeNext(record);
                latency[i] = System.nanoTime() - t;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.deleteIfExists(file);
        return row(mode.label, "raw", seconds, (double) (writer.fsyncCalls + writer.fdatasyncCalls) / records,
                (double) writer.writeCalls / records, latency, null, 0);
    }

    private FsyncRow engineRow(String policy, FsyncRow rawRow) throws IOException, InterruptedException {
        Path db = dir.resolve("fsync-engine-" + policy.replace(':', '-'));
        syncEverything();
        CountingLayer counting = new CountingLayer();
        long[] latency = new long[records];
        byte[] value = new byte[recordSize - 26 - 16];
        byte[][] keys = new byte[records][];
        for (int i = 0; i < records; i++) keys[i] = String.format("%016d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        double seconds;
        long forces;
        long writes;
        try (Cask cask = Cask.open(db, CaskOptions.defaults().withSyncPolicy(SyncPolicy.parse(policy)).withFileLayer(counting)
                .withAutoMerge(false, 0.5, 0))) {
            counting.reset();
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                long t = System.nanoTime();
                cask.put(keys[i], value);
                latency[i] = System.nanoTime() - t;
            }
            seconds = (System.nanoTime() - start) / 1e9; // before close, whose final force (and hint) no raw row pays either
            forces = counting.forces.get();
            writes = counting.writes.get();
        }
        deleteTree(db);
        FsyncRow row = row("cask --sync " + policy, "engine", seconds, (double) forces / records, (double) writes / records, latency,
                rawRow.mode(), 0);
        return new FsyncRow(row.mode(), row.kind(), row.recordsPerSec(), row.fsyncsPerRecord(), row.writesPerRecord(), row.p50Micros(),
                row.p99Micros(), rawRow.mode(), round(row.recordsPerSec() / rawRow.recordsPerSec(), 3));
    }

    private FsyncRow row(String mode, String kind, double seconds, double fsyncs, double writes, long[] latency, String rawMode, double ratio) {
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        return new FsyncRow(mode, kind, round(records / seconds, 1), round(fsyncs, 4), round(writes, 4),
                round(sorted[sorted.length / 2] / 1000.0, 1), round(sorted[(int) Math.min(sorted.length - 1, (long) sorted.length * 99 / 100)] / 1000.0, 1),
                rawMode, ratio);
    }

    static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The real file layer, counting the engine's forces and writes to its data files. */
    static final class CountingLayer extends ForwardingFileLayer {
        final AtomicLong forces = new AtomicLong();
        final AtomicLong writes = new AtomicLong();

        void reset() {
            forces.set(0);
            writes.set(0);
        }

        @Override
        public DataFile open(Path path, OpenMode mode) throws IOException {
            return new ForwardingDataFile(super.open(path, mode)) {
                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    writes.incrementAndGet();
                    super.write(src, position);
                }

                @Override
                public void force(boolean metadata) throws IOException {
                    forces.incrementAndGet();
                    super.force(metadata);
                }
            };
        }
    }
}
