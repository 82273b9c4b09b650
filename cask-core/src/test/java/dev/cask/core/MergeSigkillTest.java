package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM overwrites and deletes keys under sync always while merging in a loop; it is
 * SIGKILLed at random moments. Every acknowledged put and delete must hold after reopen.
 */
class MergeSigkillTest {
    @TempDir
    Path dir;

    /** Child: op N touches key (N % 50); prints "P N" or "D N" once acknowledged. A thread merges continuously. */
    public static final class Writer {
        public static void main(String[] args) throws Exception {
            CaskOptions options = CaskOptions.defaults().withSyncPolicy(SyncPolicy.always()).withMaxFileSize(2048).withAutoMerge(false, 0.5, 0);
            Cask cask = Cask.open(Path.of(args[0]), options);
            long start = Long.parseLong(args[1]);
            Thread.ofPlatform().daemon().start(() -> {
                while (true) cask.merge();
            });
            for (long n = start; ; n++) {
                String key = "key" + (n % 50);
                if (n % 7 == 3) {
                    cask.delete(b(key));
                    System.out.println("D " + n);
                } else {
                    cask.put(b(key), b("value-" + n));
                    System.out.println("P " + n);
                }
                System.out.flush();
            }
        }
    }

    @Test
    void acknowledgedPutsAndDeletesSurviveSigkillDuringMerges() throws Exception {
        Map<String, String> truth = new HashMap<>(); // key -> value, null = deleted
        Random random = new Random();
        long next = 0;
        for (int round = 0; round < 4; round++) {
            Process child = ChildJvm.start(Writer.class, dir.toString(), Long.toString(next));
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream()));
            long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600 + random.nextInt(900));
            String line;
            while (System.nanoTime() < killAt && (line = lines.readLine()) != null) next = apply(truth, line);
            child.toHandle().destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
            while ((line = lines.readLine()) != null) next = apply(truth, line);
            java.util.List<String> files;
            try (var list = java.nio.file.Files.list(dir)) {
                files = list.map(p -> p.getFileName() + ":" + p.toFile().length()).sorted().toList();
            }
            try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(2048))) {
                String context = " files " + files + " recovery " + cask.recoveryReport().messages() + " next op " + next;
                for (Map.Entry<String, String> e : truth.entrySet()) {
                    String actual = s(cask.get(b(e.getKey())));
                    // the one operation after the last acknowledged one may have landed too, put or delete
                    java.util.Set<String> allowed = new java.util.HashSet<>(java.util.Collections.singleton(e.getValue()));
                    if (("key" + (next % 50)).equals(e.getKey())) allowed.add(next % 7 == 3 ? null : "value-" + next);
                    if (!allowed.contains(actual)) keepEvidence();
                    assertThat(allowed).as("round %d: %s is %s%s", round, e.getKey(), actual, context).contains(actual);
                }
            }
            assertThat(Verifier.check(dir, CaskOptions.defaults(), false).problems()).isEmpty();
        }
        assertThat(next).isGreaterThan(100);
    }

    private void keepEvidence() {
        try (var list = java.nio.file.Files.list(dir)) {
            Path keep = java.nio.file.Files.createDirectories(Path.of("target", "merge-sigkill-evidence-" + System.nanoTime()));
            for (Path f : list.filter(java.nio.file.Files::isRegularFile).toList()) java.nio.file.Files.copy(f, keep.resolve(f.getFileName()));
        } catch (java.io.IOException ignored) {
            // evidence is a courtesy
        }
    }

    private static long apply(Map<String, String> truth, String line) {
        long n = Long.parseLong(line.substring(2).trim());
        String key = "key" + (n % 50);
        truth.put(key, line.charAt(0) == 'D' ? null : "value-" + n);
        return n + 1;
    }

}
