package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupTest {
    @TempDir
    Path root;

    @Test
    void aBackupTakenDuringWritesHoldsExactlyAPrefixOfEachWriterIncludingEverythingAcknowledgedBefore() throws Exception {
        Path dir = root.resolve("db");
        Path copy = root.resolve("copy");
        int writers = 3;
        AtomicLongArray acked = new AtomicLongArray(writers); // per writer: how many of its puts returned
        AtomicBoolean stop = new AtomicBoolean();
        long[] ackedBeforeBackup = new long[writers];
        long[] startedAfterBackup = new long[writers];
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(8192).withSyncPolicy(SyncPolicy.always()))) {
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                futures.add(pool.submit(() -> {
                    for (long n = 0; !stop.get(); n++) {
                        cask.put(b("w" + id + "-" + n), b("value-" + n));
                        acked.set(id, n + 1);
                    }
                    return null;
                }));
            }
            Thread.sleep(300);
            for (int w = 0; w < writers; w++) ackedBeforeBackup[w] = acked.get(w);
            BackupResult result = cask.backup(copy);
            for (int w = 0; w < writers; w++) startedAfterBackup[w] = acked.get(w) + 1; // put #(acked) may already be in flight
            Thread.sleep(200);
            stop.set(true);
            for (Future<?> f : futures) f.get(1, TimeUnit.MINUTES);
            pool.shutdown();
            assertThat(result.linkedSegments()).isPositive();
        }
        try (Cask backup = Cask.open(copy)) {
            assertThat(backup.recoveryReport().droppedBytes()).isZero();
            for (int w = 0; w < writers; w++) {
                long present = 0;
                while (backup.get(b("w" + w + "-" + present)) != null) present++;
                assertThat(present).as("writer %d: all acknowledged before the backup", w).isGreaterThanOrEqualTo(ackedBeforeBackup[w]);
                assertThat(present).as("writer %d: nothing begun after it", w).isLessThanOrEqualTo(startedAfterBackup[w]);
                for (long n = present; n < present + 100; n++) assertThat(backup.get(b("w" + w + "-" + n))).isNull(); // a prefix: no gaps
                assertThat(s(backup.get(b("w" + w + "-0")))).isEqualTo("value-0");
            }
        }
        assertThat(Verifier.check(copy, CaskOptions.defaults(), false).problems()).isEmpty();
    }

    @Test
    void refusesANonEmptyDestination() throws Exception {
        Path dir = root.resolve("db2");
        Path dest = Files.createDirectories(root.resolve("full"));
        Files.writeString(dest.resolve("something"), "x");
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("k"), b("v"));
            assertThatThrownBy(() -> cask.backup(dest)).hasMessageContaining("not empty");
        }
    }
}
