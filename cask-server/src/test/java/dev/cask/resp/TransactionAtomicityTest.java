package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.SyncPolicy;
import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.ForwardingDataFile;
import dev.cask.core.io.ForwardingFileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;

/**
 * EXEC's writes are one batch: the disk dies in the middle of a stream of transactions (at the
 * Nth write to a data segment, which keeps half its bytes, and every write after it fails), the
 * database is reopened, and every transaction is whole or absent, every acknowledged one whole.
 * Done for every N over the first transactions, so the tear lands at every place a broken
 * implementation (one write per command) would have split one.
 */
class TransactionAtomicityTest {
    @TempDir
    Path dir;

    private static final int KEYS = 4;
    private static final int TRANSACTIONS = 12;

    /** Data-segment writes pass until the {@code dieAt}-th, which is torn in half; every later one fails. */
    private static final class DyingDisk extends ForwardingFileLayer {
        final int dieAt;
        final AtomicInteger writes = new AtomicInteger();

        DyingDisk(int dieAt) {
            super(FileLayer.real());
            this.dieAt = dieAt;
        }

        @Override
        public DataFile open(Path path, OpenMode mode) throws IOException {
            DataFile file = super.open(path, mode);
            if (!path.getFileName().toString().endsWith(".data")) return file;
            return new ForwardingDataFile(file) {
                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    if (position == 0) { // a new segment's header: not part of the stream under test
                        super.write(src, position);
                        return;
                    }
                    int n = writes.incrementAndGet();
                    if (n < dieAt) {
                        super.write(src, position);
                        return;
                    }
                    if (n == dieAt) super.write(src.slice(src.position(), src.remaining() / 2), position);
                    throw new IOException("Input/output error (the disk died at write " + dieAt + ")");
                }
            };
        }
    }

    @Test
    void aDiskThatDiesMidStreamLeavesEveryTransactionWholeOrAbsent() throws Exception {
        for (int dieAt = 1; dieAt <= TRANSACTIONS * (KEYS + 1); dieAt++) {
            Path db = dir.resolve("die-at-" + dieAt);
            Set<Integer> acknowledged = new HashSet<>();
            DyingDisk disk = new DyingDisk(dieAt);
            CaskOptions options = CaskOptions.defaults().withFileLayer(disk).withSyncPolicy(SyncPolicy.parse("none"));
            try (TestServer server = TestServer.start(db, options, null, RespLimits.forValues(1 << 20), TestServer.defaultLimits());
                 Jedis j = new Jedis("127.0.0.1", server.port())) {
                for (int i = 0; i < TRANSACTIONS; i++) {
                    Transaction t = j.multi();
                    for (int k = 0; k < KEYS; k++) t.set("tx:" + i + ":" + k, "v" + i);
                    try {
                        List<Object> replies = t.exec();
                        if (replies != null && replies.stream().allMatch("OK"::equals)) acknowledged.add(i);
                    } catch (RuntimeException refused) {
                        // the write failed: not acknowledged
                    }
                }
            } catch (RuntimeException closingAfterTheDiskDied) {
                // close may fail too: what reached the disk is what the reopen sees
            }
            try (Cask cask = Cask.open(db)) {
                for (int i = 0; i < TRANSACTIONS; i++) {
                    int present = 0;
                    for (int k = 0; k < KEYS; k++) if (cask.get(("tx:" + i + ":" + k).getBytes(StandardCharsets.UTF_8)) != null) present++;
                    assertThat(present).as("disk died at write %d: transaction %d whole or absent", dieAt, i).isIn(0, KEYS);
                    if (acknowledged.contains(i)) assertThat(present).as("disk died at write %d: acknowledged transaction %d", dieAt, i).isEqualTo(KEYS);
                }
            }
            assertThat(disk.writes.get()).as("the disk was reached").isGreaterThanOrEqualTo(Math.min(dieAt, 1));
        }
    }
}
