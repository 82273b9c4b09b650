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
}
