package dev.cask.lab.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.lab.crash.RecordingLayer.Op;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the crash model keeps after a power cut, op by op: the rules the lab's verdicts rest on. */
class CrashStatesTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Map<String, byte[]> cut(List<Op> ops) {
        return new CrashStates(ops, false, false).state(ops.size(), CrashStates.Kind.POWER_CUT, new Random(1));
    }

    @Test
    void aForceCoversOnlyTheWritesRecordedBeforeItBegan() {
        List<Op> overlapped = List.of(new Op.Create("f"), new Op.SyncDir(""), new Op.Resize("f", 0), new Op.Write("f", 0, b("xy"), 0),
                new Op.Force("f", true, 3)); // began before the write returned
        assertThat(cut(overlapped).get("f")).isEmpty();
        List<Op> after = List.of(new Op.Create("f"), new Op.SyncDir(""), new Op.Write("f", 0, b("xy"), 0), new Op.Force("f", true, 3));
        assertThat(cut(after).get("f")).isEqualTo(b("xy"));
    }

    @Test
    void fdatasyncKeepsDataButNotANewLength() {
        List<Op> grownByWrite = List.of(new Op.Create("f"), new Op.SyncDir(""), new Op.Write("f", 0, b("abc"), 0), new Op.Force("f", false, 3));
        assertThat(cut(grownByWrite).get("f")).isEmpty();
        List<Op> grownThenForced = List.of(new Op.Create("f"), new Op.SyncDir(""), new Op.Resize("f", 8), new Op.Force("f", true, 3),
                new Op.Write("f", 0, b("abc"), 0), new Op.Force("f", false, 5));
        assertThat(cut(grownThenForced).get("f")).isEqualTo(Arrays.copyOf(b("abc"), 8));
        List<Op> dsync = List.of(new Op.Create("f"), new Op.SyncDir(""), new Op.Write("f", 0, b("abc"), 1));
        assertThat(cut(dsync).get("f")).as("O_DSYNC: data, not length").isEmpty();
        List<Op> osync = List.of(new Op.Create("f"), new Op.SyncDir(""), new Op.Write("f", 0, b("abc"), 2));
        assertThat(cut(osync).get("f")).isEqualTo(b("abc"));
    }

    @Test
    void writesAFailedForceWasToCoverAreNeverDurableAgain() {
        List<Op> ops = List.of(new Op.Create("f"), new Op.SyncDir(""), new Op.Write("f", 0, b("lost"), 0), new Op.ForceFailed("f"),
                new Op.Write("f", 4, b("later"), 0), new Op.Force("f", true, 5));
        assertThat(new String(cut(ops).get("f"), StandardCharsets.US_ASCII)).isEqualTo("\0\0\0\0later");
        Map<String, byte[]> kill = new CrashStates(ops, false, false).state(ops.size(), CrashStates.Kind.KILL, new Random(1));
        assertThat(kill.get("f")).isEqualTo(b("lostlater")); // the page cache may still hold them
        Map<String, byte[]> dropped = new CrashStates(ops, false, false).state(ops.size(), CrashStates.Kind.KILL_PAGES_DROPPED, new Random(1));
        assertThat(new String(dropped.get("f"), StandardCharsets.US_ASCII)).isEqualTo("\0\0\0\0later");
    }

    @Test
    void aNewDirectoryIsLostWithItsFilesUnlessItsParentWasSynced() {
        List<Op> unsynced = List.of(new Op.Mkdir("d"), new Op.Create("d/f"), new Op.Write("d/f", 0, b("x"), 0), new Op.Force("d/f", true, 3),
                new Op.SyncDir("d"));
        assertThat(cut(unsynced)).isEmpty();
        List<Op> synced = List.of(new Op.Mkdir("d"), new Op.SyncDir(""), new Op.Create("d/f"), new Op.Write("d/f", 0, b("x"), 0),
                new Op.Force("d/f", true, 4), new Op.SyncDir("d"));
        assertThat(cut(synced)).containsKey("d/f");
    }

    @Test
    void aSectorHoldsAllItsWritesOrNoneOfTheUnforcedOnes() {
        byte[] first = new byte[600];
        Arrays.fill(first, (byte) 1);
        byte[] second = new byte[100];
        Arrays.fill(second, (byte) 2);
        List<Op> ops = List.of(new Op.Create("f"), new Op.SyncDir(""), new Op.Resize("f", 2048), new Op.Force("f", true, 3),
                new Op.Write("f", 0, first, 0), new Op.Write("f", 600, second, 0));
        for (int seed = 0; seed < 50; seed++) {
            byte[] f = new CrashStates(ops, false, false).state(ops.size(), CrashStates.Kind.POWER_CUT_SECTORS, new Random(seed)).get("f");
            assertThat(f).hasSize(2048);
            boolean sector0 = f[0] == 1;
            boolean sector1 = f[512] == 1;
            for (int i = 0; i < 512; i++) assertThat(f[i]).isEqualTo((byte) (sector0 ? 1 : 0));
            for (int i = 512; i < 600; i++) assertThat(f[i]).isEqualTo((byte) (sector1 ? 1 : 0));
            for (int i = 600; i < 700; i++) assertThat(f[i]).as("the second write shares sector 1 with the first").isEqualTo((byte) (sector1 ? 2 : 0));
        }
    }
}
