package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM writes with sync always and reports each acknowledged key over a pipe; it is
 * killed with SIGKILL at a random moment; every acknowledged key must be there with its value.
 */
class SigkillTest {
    @TempDir
    Path dir;

    /** Child: writes key-N = value-N (with a batch every 10th) forever, printing each N once put returned. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            CaskOptions options = CaskOptions.defaults().withSyncPolicy(SyncPolicy.parse(args[1])).withMaxFileSize(64 << 10);
            try (Cask cask = Cask.open(Path.of(args[0]), options)) {
                int start = cask.keys().size();
                for (int n = start; ; n++) {
                    if (n % 10 == 0) cask.write(new WriteBatch().put(b("key-" + n), b("value-" + n)).put(b("twin-" + n), b("value-" + n)));
                    else cask.put(b("key-" + n), b("value-" + n));
                    System.out.println(n);
                    System.out.flush();
                }
            }
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Random random = new Random();
        List<Integer> acked = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            Process child = ChildJvm.start(Writer.class, dir.toString(), "always");
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream()));
            long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300 + random.nextInt(700));
            String line;
            int before = acked.size();
            while (System.nanoTime() < killAt && (line = lines.readLine()) != null) acked.add(Integer.parseInt(line.trim()));
            child.toHandle().destroyForcibly(); // SIGKILL; Process.destroy would also close the pipe
            child.waitFor(10, TimeUnit.SECONDS);
            while ((line = lines.readLine()) != null) acked.add(Integer.parseInt(line.trim())); // acks still in the pipe count too
            assertThat(acked.size()).as("round %d acknowledged writes", round).isGreaterThan(before);
            try (Cask cask = Cask.open(dir)) {
                for (int n : acked) {
                    assertThat(s(cask.get(b("key-" + n)))).as("acknowledged key-%d after round %d", n, round).isEqualTo("value-" + n);
                    if (n % 10 == 0) assertThat(s(cask.get(b("twin-" + n)))).isEqualTo("value-" + n);
                }
                for (byte[] key : cask.keys()) { // nothing half-written: every key present has its own value
                    String k = s(key);
                    assertThat(s(cask.get(key))).isEqualTo("value-" + k.substring(k.indexOf('-') + 1));
                }
            }
        }
    }
}
