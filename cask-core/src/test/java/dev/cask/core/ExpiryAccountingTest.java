package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keys that carry an expiry are counted as keys change (issue 18: the automatic merge's
 * check walked the whole keydir after every rotation). With no expiring key nothing walks; with
 * some, the count must follow every overwrite, delete, reopen and merge, or expired keys would be
 * missed by stats and by the merge that should drop them.
 */
class ExpiryAccountingTest {
    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(now.get()); }
    };

    @Test
    void expiredKeysAreCountedThroughOverwritesDeletesReopenAndMerge() {
        CaskOptions options = CaskOptions.defaults().withClock(clock).withMaxFileSize(8192).withAutoMerge(false, 0.5, 0);
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 100; i++) cask.put(b("ttl" + i), b("v" + i), now.get() + 1000);
            for (int i = 0; i < 100; i++) cask.put(b("plain" + i), b("v" + i));
            for (int i = 0; i < 50; i++) cask.put(b("ttl" + i), b("kept")); // no expiry any more
            for (int i = 50; i < 60; i++) cask.delete(b("ttl" + i));
            for (int i = 60; i < 65; i++) cask.put(b("ttl" + i), b("later"), now.get() + 5000); // a new expiry
            now.addAndGet(2000);
            assertThat(cask.stats().expiredKeys()).isEqualTo(35);
        }
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.stats().expiredKeys()).as("after loading the keydir at open").isEqualTo(35);
            cask.merge();
            assertThat(cask.stats().expiredKeys()).as("the merge dropped them").isZero();
            now.addAndGet(5000);
            assertThat(cask.stats().expiredKeys()).as("the five with the later expiry survived the merge and expire now").isEqualTo(5);
            for (int i = 60; i < 65; i++) cask.put(b("ttl" + i), b("kept"));
            assertThat(cask.stats().expiredKeys()).isZero();
        }
    }

    @Test
    void eachExpiredKeyIsCountedOnceWhenItGoes() {
        CaskOptions options = CaskOptions.defaults().withClock(clock).withMaxFileSize(8192).withAutoMerge(false, 0.5, 0);
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 40; i++) cask.put(b("ttl" + i), b("v" + i), now.get() + 1000);
            cask.put(b("live"), b("v"), now.get() + 10_000);
            for (int i = 0; i < 300; i++) cask.put(b("filler" + i), new byte[64]); // seals the segments holding the expiring keys
            cask.put(b("ttl0"), b("before its time")); // not expired yet: replaced, not counted
            assertThat(cask.expiredKeysRemoved()).isZero();
            now.addAndGet(2000);
            assertThat(cask.expiredKeysRemoved()).as("their time passed, but they are still there").isZero();
            cask.put(b("ttl1"), b("again")); // an expired key overwritten: it goes now
            assertThat(cask.delete(b("ttl2"))).isFalse(); // an expired key is not there to delete: nothing written, nothing counted
            cask.write(new WriteBatch().put(b("ttl3"), b("x")).delete(b("ttl4")));
            assertThat(cask.expiredKeysRemoved()).isEqualTo(3);
            cask.merge();
            assertThat(cask.expiredKeysRemoved()).as("the merge dropped the other 36: ttl2 and ttl5 to ttl39").isEqualTo(3 + 36);
            assertThat(cask.lastMerge().finishedAtMillis()).as("by the database's clock").isEqualTo(now.get());
            assertThat(cask.get(b("live"))).isNotNull();
            cask.merge();
            assertThat(cask.expiredKeysRemoved()).as("counted once").isEqualTo(39);
        }
        try (Cask cask = Cask.open(dir, options)) {
            assertThat(cask.expiredKeysRemoved()).as("a count since open, as Redis's since start").isZero();
        }
    }

    @Test
    void expiredKeysStillTriggerTheAutomaticMerge() {
        CaskOptions options = CaskOptions.defaults().withClock(clock).withMaxFileSize(4096).withAutoMerge(true, 0.5, 0);
        try (Cask cask = Cask.open(dir, options)) {
            for (int i = 0; i < 200; i++) cask.put(b("ttl" + i), new byte[100], now.get() + 1000);
            assertThat(cask.lastMerge()).as("nothing dead yet").isNull();
            now.addAndGet(2000); // every key so far expired: dead only once counted by the walk
            for (int i = 0; i < 60; i++) cask.put(b("plain" + i), new byte[100]); // rotations, each a merge check
            long deadline = System.nanoTime() + 30_000_000_000L; // the merge runs on the background worker
            while (cask.lastMerge() == null && System.nanoTime() < deadline) Thread.onSpinWait();
            assertThat(cask.lastMerge()).as("the automatic merge ran").isNotNull();
            assertThat(cask.stats().expiredKeys()).isZero();
        }
    }
}
