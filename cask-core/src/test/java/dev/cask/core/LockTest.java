package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LockTest {
    @TempDir
    Path dir;

    /** Child: opens the database, writes a key, says "open", then waits (or is killed). */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            Cask cask = Cask.open(Path.of(args[0]));
            cask.put(b("from-child"), b("yes"));
            System.out.println("open " + ProcessHandle.current().pid());
            System.out.flush();
            Thread.sleep(60_000);
            cask.close();
        }
    }

    private Process startHolder() throws Exception {
        Process child = ChildJvm.start(Holder.class, dir.toString());
        String line = new BufferedReader(new InputStreamReader(child.getInputStream())).readLine();
        assertThat(line).startsWith("open ");
        return child;
    }

    @Test
    void aSecondProcessGetsAClearErrorNamingTheHolder() throws Exception {
        Process child = startHolder();
        try {
            assertThatThrownBy(() -> Cask.open(dir)).isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining("locked by another process (pid " + child.pid() + ")")
                    .satisfies(e -> assertThat(((DatabaseLockedException) e).holderPid()).isEqualTo(child.pid()));
        } finally {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStaleLockOfADeadProcessIsTakenOverWithAMessage() throws Exception {
        Process child = startHolder();
        long pid = child.pid();
        child.toHandle().destroyForcibly(); // SIGKILL: no close, so the pid stays in the lock file
        child.waitFor(10, TimeUnit.SECONDS);
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().stalePid()).isEqualTo(pid);
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("stale lock left by pid " + pid));
            assertThat(s(cask.get(b("from-child")))).isEqualTo("yes");
        }
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().stalePid()).isEqualTo(-1); // a clean close leaves no stale lock
        }
    }

    @Test
    void theSameProcessCannotOpenTwice() {
        try (Cask cask = Cask.open(dir)) {
            assertThatThrownBy(() -> Cask.open(dir)).isInstanceOf(DatabaseLockedException.class)
                    .hasMessageContaining("already open in this process");
        }
    }

    /** Child: tries to open the database and says whether it could. */
    public static final class Prober {
        public static void main(String[] args) {
            try (Cask cask = Cask.open(Path.of(args[0]))) {
                cask.put(b("intruder"), b("yes"));
                System.out.println("OPENED");
            } catch (DatabaseLockedException e) {
                System.out.println("LOCKED");
            }
        }
    }

    /**
     * Failed on the code before the hardening issue: the refused second open closed its own channel to
     * cask.lock, and closing any descriptor of a file drops the process's POSIX lock, so another process
     * could open the database as a second writer.
     */
    @Test
    void aRefusedSecondOpenInTheSameProcessKeepsTheLockAgainstOtherProcesses() throws Exception {
        try (Cask cask = Cask.open(dir)) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> Cask.open(dir)).isInstanceOf(DatabaseLockedException.class);
                assertThatThrownBy(() -> Cask.open(dir.resolve(".").resolve("."))).isInstanceOf(DatabaseLockedException.class);
            }
            Process child = ChildJvm.start(Prober.class, dir.toString());
            String line = new BufferedReader(new InputStreamReader(child.getInputStream())).readLine();
            child.waitFor(30, TimeUnit.SECONDS);
            assertThat(line).isEqualTo("LOCKED");
            assertThat(cask.get(b("intruder"))).isNull();
        }
        try (Cask again = Cask.open(dir)) { // closed cleanly: the registry let go too
            assertThat(again.get(b("intruder"))).isNull();
        }
    }
}
