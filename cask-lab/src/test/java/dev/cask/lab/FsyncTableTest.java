package dev.cask.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsyncTableTest {
    @TempDir
    Path dir;

    @Test
    void aTinyRunHasEveryRowAndEachModeMakesTheSystemCallsItClaims() throws Exception {
        List<FsyncRow> rows = new FsyncTable(dir, 200, 512, (d, t) -> {}).run(true);
        Map<String, FsyncRow> byMode = rows.stream().collect(Collectors.toMap(FsyncRow::mode, Function.identity()));
        assertThat(rows).hasSize(SyncMode.TABLE.size() + FsyncTable.ENGINE_POLICIES.size());
        assertThat(byMode.get("no fsync").fsyncsPerRecord()).isZero();
        assertThat(byMode.get("fsync per record").fsyncsPerRecord()).isEqualTo(1.0);
        assertThat(byMode.get("fsync per 10 records").fsyncsPerRecord()).isEqualTo(0.1);
        assertThat(byMode.get("fsync per 100 records").fsyncsPerRecord()).isEqualTo(0.01);
        assertThat(byMode.get("O_SYNC").fsyncsPerRecord()).isZero();
        assertThat(byMode.get("O_DSYNC").fsyncsPerRecord()).isZero();
        assertThat(byMode.get("fdatasync per record").fsyncsPerRecord()).isEqualTo(1.0);
        for (FsyncRow r : rows) {
            assertThat(r.recordsPerSec()).as(r.mode()).isPositive();
            assertThat(r.p99Micros()).as(r.mode()).isGreaterThanOrEqualTo(r.p50Micros());
            if (r.kind().equals("raw")) assertThat(r.writesPerRecord()).as(r.mode()).isEqualTo(1.0);
        }
        // the engine's forces: one per put under always, one per ten under every:10, none under none or osync
        assertThat(byMode.get("cask --sync always").fsyncsPerRecord()).isBetween(1.0, 1.01);
        assertThat(byMode.get("cask --sync every:10").fsyncsPerRecord()).isBetween(0.1, 0.11);
        assertThat(byMode.get("cask --sync none").fsyncsPerRecord()).isLessThan(0.01);
        assertThat(byMode.get("cask --sync osync").fsyncsPerRecord()).isLessThan(0.01);
        assertThat(byMode.get("cask --sync always").rawMode()).isEqualTo("fsync per record");
        assertThat(byMode.get("cask --sync always").ratioToRaw()).isPositive();
    }

    @Test
    void fsyncAndFdatasyncModesCallWhatTheySay() throws Exception {
        for (SyncMode mode : SyncMode.TABLE) {
            Path file = dir.resolve(mode.id());
            RawWriter writer = new RawWriter(mode, RawWriter.openReal(file, mode, 100 * 512), 512, seq -> {});
            try (writer) {
                for (int i = 0; i < 100; i++) writer.writeNext();
            }
            long forces = mode.forceEvery == 0 ? 0 : 100 / mode.forceEvery;
            assertThat(writer.fsyncCalls).as(mode.label).isEqualTo(mode.fsync ? forces : 0);
            assertThat(writer.fdatasyncCalls).as(mode.label).isEqualTo(mode.fsync ? 0 : forces);
            assertThat(writer.writeCalls).as(mode.label).isEqualTo(100);
        }
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> new FsyncTable(dir, 0, 4096, (d, t) -> {})).hasMessageContaining("--records");
        assertThatThrownBy(() -> new FsyncTable(dir, 10, 8, (d, t) -> {})).hasMessageContaining("--record-size");
    }

    @Test
    void knowsTheFileSystemItRunsOn() throws Exception {
        FileSystemInfo fs = FileSystemInfo.of(dir);
        assertThat(fs.type()).isNotEqualTo("unknown");
        assertThat(fs.mountPoint()).startsWith("/");
    }
}
