package dev.cask.core;

import dev.cask.testkit.FaultyFileLayer;
import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes the engine at every write of a workload (puts, deletes, batches, rotations), with the
 * crashing write torn at 0, 30, 60, 90 and 100% of its bytes, then reopens with the real file layer. Oracle: every
 * acknowledged operation is there; the one operation in flight at the crash is there entirely or
 * not at all (a batch included); nothing else changed.
 */
class CrashAfterWriteTest {
    @TempDir
    Path root;

    /** What the workload knew when it stopped: acknowledged state, and the in-flight operation's effects. */
    private static final class Outcome {
        final Map<String, String> acked = new HashMap<>(); // null value = deleted
        final Map<String, String> inFlight = new LinkedHashMap<>();

        void run(Runnable op) {
            op.run(); // throws on the crash, leaving inFlight as it is
            acked.putAll(inFlight);
            inFlight.clear();
        }
    }

    private static Outcome workload(Cask cask) {
        Outcome o = new Outcome();
        try {
            for (int i = 0; i < 12; i++) {
                int n = i;
                String value = "v" + i + "-" + "x".repeat(i * 7);
                o.inFlight.put("k" + n, value);
                o.run(() -> cask.put(b("k" + n), b(value)));
                if (i % 4 == 3 && o.acked.get("k" + (i - 2)) != null) {
                    o.inFlight.put("k" + (n - 2), null);
                    o.run(() -> cask.delete(b("k" + (n - 2))));
                }
                if (i % 5 == 4) {
                    o.inFlight.put("k" + n, "batched" + n);
                    o.inFlight.put("k0", null);
                    o.inFlight.put("b" + n, "pair" + n);
                    o.run(() -> cask.write(new WriteBatch().put(b("k" + n), b("batched" + n)).delete(b("k0")).put(b("b" + n), b("pair" + n))));
                }
            }
        } catch (CaskException e) {
            // the simulated crash: nothing after it happened
        }
        return o;
    }

    @Test
    void everyCrashPointRecoversToAcknowledgedStatePlusAllOrNothingOfTheInFlightOperation() {
        FaultyFileLayer counter = new FaultyFileLayer();
        CaskOptions tiny = CaskOptions.defaults().withMaxFileSize(150).withSyncPolicy(SyncPolicy.always());
        int totalWrites;
        try (Cask cask = Cask.open(root.resolve("count"), tiny.withFileLayer(counter))) {
            int before = counter.writes.get();
            assertThat(workload(cask).inFlight).isEmpty();
            totalWrites = counter.writes.get() - before;
        }
        assertThat(totalWrites).isGreaterThan(15);
        int landed = 0;
        int lost = 0;
        for (int crashAt = 1; crashAt <= totalWrites; crashAt++) {
            for (double torn : new double[] {0, 0.3, 0.6, 0.9, 1}) {
                Path dir = root.resolve("crash-" + crashAt + "-" + torn);
                FaultyFileLayer faults = new FaultyFileLayer();
                Cask cask = Cask.open(dir, tiny.withFileLayer(faults));
                faults.crashAtWrite = faults.writes.get() + crashAt;
                faults.tornFraction = torn;
                Outcome o = workload(cask);
                try {
                    cask.close();
                } catch (CaskException ignored) {
                    // closing a "dead" process fails; what matters is what is on disk
                }
                String where = "crash at write " + crashAt + " torn " + torn;
                try (Cask reopened = Cask.open(dir, tiny)) {
                    Map<String, String> onDisk = new HashMap<>();
                    for (byte[] key : reopened.keys()) onDisk.put(s(key), s(reopened.get(key)));
                    Map<String, String> without = expected(o.acked, Map.of());
                    Map<String, String> with = expected(o.acked, o.inFlight);
                    assertThat(onDisk).as(where + " in flight " + o.inFlight).isIn(without, with);
                    if (!o.inFlight.isEmpty()) {
                        if (onDisk.equals(with)) landed++;
                        else lost++;
                    }
                }
                assertThat(Verifier.check(dir, tiny, false).problems()).as(where).isEmpty();
            }
        }
        // a whole write (fraction 1) lands, a torn one never does: both outcomes must have been seen
        assertThat(landed).isPositive();
        assertThat(lost).isPositive();
    }

    private static Map<String, String> expected(Map<String, String> acked, Map<String, String> inFlight) {
        Map<String, String> state = new HashMap<>(acked);
        state.putAll(inFlight);
        state.values().removeIf(v -> v == null);
        return state;
    }
}
