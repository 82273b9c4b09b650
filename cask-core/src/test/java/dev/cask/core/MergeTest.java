package dev.cask.core;

import dev.cask.testkit.FaultyFileLayer;
import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeTest {
    @TempDir
    Path dir;

    private final CaskOptions small = CaskOptions.defaults().withMaxFileSize(4096).withAutoMerge(false, 0.5, 0);

    private static long bytesOf(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void reclaimsDeadDataKeepsNewestValuesAndDeletesStayDeleted() throws Exception {
        try (Cask cask = Cask.open(dir, small)) {
            for (int round = 0; round < 15; round++) for (int k = 0; k < 20; k++) cask.put(b("k" + k), b("round-" + round + "-" + "v".repeat(100)));
            for (int k = 0; k < 5; k++) cask.delete(b("k" + k));
            long before = bytesOf(dir);
            MergeResult result = cask.merge();
            assertThat(result.inputSegments()).isGreaterThan(5);
            assertThat(result.keysCopied()).isEqualTo(15);
            assertThat(bytesOf(dir)).isLessThan(before / 4);
            assertThat(cask.stats().fragmentation()).isLessThan(0.01);
            for (int k = 0; k < 5; k++) assertThat(cask.get(b("k" + k))).isNull();
            for (int k = 5; k < 20; k++) assertThat(s(cask.get(b("k" + k)))).startsWith("round-14-");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".hint"))).isNotEmpty();
        }
        try (Cask cask = Cask.open(dir, small)) {
            assertThat(cask.recoveryReport().hintsUsed()).isPositive();
            for (int k = 0; k < 5; k++) assertThat(cask.get(b("k" + k))).isNull();
            for (int k = 5; k < 20; k++) assertThat(s(cask.get(b("k" + k)))).startsWith("round-14-");
        }
        assertThat(Verifier.check(dir, small, false).problems()).isEmpty();
    }

    /** What INFO's merge_in_progress reads: true while a merge runs (seen from its own progress calls), false before, after and during a backup. */
    @Test
    void saysWhetherAMergeIsRunning(@TempDir Path backups) {
        try (Cask cask = Cask.open(dir, small)) {
            for (int round = 0; round < 15; round++) for (int k = 0; k < 20; k++) cask.put(b("k" + k), b("round-" + round + "-" + "v".repeat(100)));
            assertThat(cask.isMerging()).isFalse();
            java.util.List<Boolean> during = new java.util.ArrayList<>();
            cask.merge((done, total) -> during.add(cask.isMerging()));
            assertThat(during).isNotEmpty().containsOnly(true);
            assertThat(cask.isMerging()).isFalse();
            java.util.List<Boolean> duringBackup = new java.util.ArrayList<>(); // a backup holds merges off; it is not one
            cask.backup(backups.resolve("copy"), (done, total) -> duringBackup.add(cask.isMerging()));
            assertThat(duringBackup).isNotEmpty().containsOnly(false);
        }
    }

    @Test
    void dropsExpiredRecordsAndTheirKeys() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return Instant.ofEpochMilli(now.get()); }
        };
        CaskOptions options = small.withClock(clock);
        try (Cask cask = Cask.open(dir, options)) {
            for (int k = 0; k < 50; k++) cask.put(b("t" + k), b("x".repeat(200)), now.get() + 1000);
            cask.put(b("keep"), b("forever"));
            now.addAndGet(5000);
            assertThat(cask.stats().expiredBytes()).isPositive();
            MergeResult result = cask.merge();
            assertThat(result.expiredDropped()).isEqualTo(50);
            assertThat(cask.stats().keys()).isEqualTo(1);
            assertThat(s(cask.get(b("keep")))).isEqualTo("forever");
        }
    }

    @Test
    void writersKeepWritingDuringAMergeWithNoLostAndNoResurrectedKeys() throws Exception {
        Map<String, String> truth = new ConcurrentHashMap<>();
        try (Cask cask = Cask.open(dir, small)) {
            for (int k = 0; k < 2000; k++) {
                cask.put(b("key" + k), b("v0-" + k));
                truth.put("key" + k, "v0-" + k);
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch go = new CountDownLatch(1);
            java.util.List<Future<?>> writers = new java.util.ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int id = w;
                writers.add(pool.submit(() -> {
                    go.await();
                    java.util.Random r = new java.util.Random(id);
                    for (int i = 0; i < 3000; i++) {
                        int k = id + 3 * r.nextInt(666); // each writer owns its keys, so the truth is exact
                        if (r.nextInt(3) == 0) {
                            cask.delete(b("key" + k));
                            truth.remove("key" + k);
                        } else {
                            cask.put(b("key" + k), b("w" + id + "-" + i));
                            truth.put("key" + k, "w" + id + "-" + i);
                        }
                    }
                    return null;
                }));
            }
            Future<?> merges = pool.submit(() -> {
                go.await();
                for (int m = 0; m < 5; m++) cask.merge();
                return null;
            });
            go.countDown();
            for (Future<?> f : writers) f.get(2, TimeUnit.MINUTES);
            merges.get(2, TimeUnit.MINUTES);
            pool.shutdown();
            assertState(cask, truth);
        }
        try (Cask cask = Cask.open(dir, small)) {
            assertState(cask, truth);
        }
    }

    private static void assertState(Cask cask, Map<String, String> truth) {
        Map<String, String> actual = new HashMap<>();
        for (byte[] key : cask.keys()) actual.put(s(key), s(cask.get(key)));
        assertThat(actual).isEqualTo(truth);
    }

    @Test
    void aSecondConcurrentMergeIsRefused() throws Exception {
        FaultyFileLayer slow = new FaultyFileLayer();
        slow.renameDelayMillis = 300;
        try (Cask cask = Cask.open(dir, small.withFileLayer(slow))) {
            for (int k = 0; k < 200; k++) cask.put(b("k" + (k % 20)), b("v".repeat(100)));
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<MergeResult> first = pool.submit(() -> cask.merge());
            Thread.sleep(100);
            assertThatThrownBy(cask::merge).isInstanceOf(MergeInProgressException.class).hasMessageContaining("already running");
            assertThat(first.get(1, TimeUnit.MINUTES).keysCopied()).isEqualTo(20);
            pool.shutdown();
        }
    }

    @Test
    void aCorruptHintIsReportedAndTheDataFileScannedInstead() throws Exception {
        try (Cask cask = Cask.open(dir, small)) {
            for (int k = 0; k < 300; k++) cask.put(b("k" + k), b("value-" + k + "v".repeat(50)));
            cask.awaitBackgroundWork();
        }
        Path hint;
        try (var files = Files.list(dir)) {
            hint = files.filter(p -> p.toString().endsWith(".hint")).sorted().findFirst().orElseThrow();
        }
        TestFiles.flipByte(hint, 40);
        try (Cask cask = Cask.open(dir, small)) {
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains(hint.getFileName().toString()) && m.contains("not valid")
                    && m.contains("scanned"));
            for (int k = 0; k < 300; k++) assertThat(s(cask.get(b("k" + k)))).isEqualTo("value-" + k + "v".repeat(50));
        }
        Files.writeString(hint, "not a hint at all"); // a truncated or foreign hint, likewise
        try (Cask cask = Cask.open(dir, small)) {
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("not valid"));
            assertThat(cask.keys()).hasSize(300);
        }
    }

    @Test
    void aHintForADataFileThatChangedIsNotTrusted() throws Exception {
        try (Cask cask = Cask.open(dir, small)) {
            for (int k = 0; k < 300; k++) cask.put(b("k" + k), b("value-" + k + "v".repeat(50)));
            cask.awaitBackgroundWork();
        }
        Path firstData = TestFiles.segments(dir).get(0);
        TestFiles.truncate(firstData, Files.size(firstData) - 1); // damage the data: the hint no longer matches it
        assertThatThrownBy(() -> Cask.open(dir, small)).isInstanceOf(CorruptionException.class);
    }
}
