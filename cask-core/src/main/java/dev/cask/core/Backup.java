package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A consistent copy of a database in use: sealed segments never change, so they (and their hints)
 * are hard-linked; the active segment is forced and copied up to the offset it had when the
 * backup began. The copy therefore holds exactly the writes made before that moment.
 */
final class Backup {
    private Backup() {}

    /** The sealed segments and the active segment's forced length at the moment the backup began. */
    record Snapshot(List<Integer> sealedIds, List<Long> sealedSizes, int activeId, long activeSize) {}

    static BackupResult write(FileLayer files, Path dir, Path dest, Snapshot snapshot, Progress progress) throws IOException {
        long total = snapshot.activeSize();
        for (long size : snapshot.sealedSizes()) total += size;
        long done = 0;
        files.createDirectoriesDurably(dest);
        if (!files.list(dest).isEmpty()) throw new IllegalArgumentException("backup destination " + dest + " is not empty");
        java.util.Set<String> present = new java.util.HashSet<>(files.list(dir)); // listed once: ten thousand segments are ten thousand lookups
        for (int i = 0; i < snapshot.sealedIds().size(); i++) {
            int id = snapshot.sealedIds().get(i);
            linkOrCopy(files, dir.resolve(SegmentNames.dataName(id)), dest.resolve(SegmentNames.dataName(id)));
            done += snapshot.sealedSizes().get(i);
            progress.update(done, total);
            Path hint = dir.resolve(SegmentNames.hintName(id));
            if (present.contains(hint.getFileName().toString())) {
                try {
                    linkOrCopy(files, hint, dest.resolve(SegmentNames.hintName(id)));
                } catch (IOException gone) {
                    // the hint is optional: the copy's open scans that segment instead
                }
            }
        }
        long before = done;
        long finalTotal = total;
        long copied = copy(files, dir.resolve(SegmentNames.dataName(snapshot.activeId())), dest.resolve(SegmentNames.dataName(snapshot.activeId())),
                snapshot.activeSize(), n -> progress.update(before + n, finalTotal));
        files.syncDirectory(dest);
        return new BackupResult(dest, snapshot.sealedIds().size(), copied);
    }

    private static void linkOrCopy(FileLayer files, Path source, Path target) throws IOException {
        try {
            files.link(source, target);
        } catch (IOException | UnsupportedOperationException e) { // another file system, or one without hard links: copy instead
            try (DataFile in = files.open(source, OpenMode.READ)) {
                copy(files, source, target, in.size(), n -> {});
            }
        }
    }

    private static long copy(FileLayer files, Path source, Path target, long length, java.util.function.LongConsumer copiedSoFar) throws IOException {
        try (DataFile in = files.open(source, OpenMode.READ); DataFile out = files.open(target, OpenMode.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long done = 0;
            while (done < length) {
                buf.clear().limit((int) Math.min(buf.capacity(), length - done));
                int n = in.read(buf, done);
                if (n <= 0) throw new IOException(source + " ended at " + done + " of the " + length + " bytes to copy");
                buf.flip();
                out.write(buf, done);
                done += n;
                copiedSoFar.accept(done);
            }
            out.force(true);
            return done;
        }
    }
}
