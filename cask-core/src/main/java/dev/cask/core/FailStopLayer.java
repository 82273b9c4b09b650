package dev.cask.core;

import dev.cask.core.io.DataFile;
import dev.cask.core.io.FileLayer;
import dev.cask.core.io.ForwardingDataFile;
import dev.cask.core.io.ForwardingFileLayer;
import dev.cask.core.io.OpenMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The one path every force of a database goes through, wherever it runs (the write path, group
 * commit, rotation, close, merge outputs, hints, backups, repair): a failed force or directory
 * sync stops the database at once (its listener fails every waiting writer and refuses writes),
 * and from then on nothing is forced, created, renamed, linked or deleted until the database is
 * reopened: a later force may return success for pages the kernel already dropped, and a segment
 * created after the failure (by a rotation that raced it) would leave the lost tail in the middle
 * of the log, where recovery must call it damage. After a
 * failed fsync Linux may already have dropped the dirty pages (fsyncgate), so nothing that
 * depends on them may be made visible or acknowledged: no merge commits its outputs, no hint is
 * renamed into place, no input is deleted.
 *
 * <p>It also leaves a marker, {@value #MARKER}, beside the data (when the disk still takes it):
 * within one boot the page cache can hold pages whose writeback failed, and reading them back
 * would make recovery believe the disk has them. Open refuses while the marker exists; see
 * {@link #checkNoEarlierFailure}.
 */
final class FailStopLayer extends ForwardingFileLayer {
    static final String MARKER = "cask.force-failed";

    private final Path dir;
    private volatile IOException failure;
    private volatile Consumer<IOException> listener = e -> { };

    FailStopLayer(FileLayer delegate, Path dir) {
        super(delegate);
        this.dir = dir;
    }

    void onFailure(Consumer<IOException> listener) {
        this.listener = listener;
        IOException already = failure;
        if (already != null) listener.accept(already);
    }

    IOException failure() {
        return failure;
    }

    /** Refuses to open a database whose earlier session saw a force fail. */
    static void checkNoEarlierFailure(FileLayer files, Path dir) throws IOException {
        if (!files.list(dir).contains(MARKER)) return;
        throw new StorageException("a force failed in an earlier session of " + dir + " (see " + dir.resolve(MARKER) + "). Until the"
                + " machine restarts, the page cache may still hold data the disk does not, and recovery would read it as if it were"
                + " there. Reboot, or drop the page cache (echo 1 > /proc/sys/vm/drop_caches), run 'cask check', then delete the"
                + " marker to open the database", null);
    }

    private IOException trip(IOException e, String what) {
        IOException first;
        synchronized (this) {
            if (failure == null) failure = new IOException(what + " failed: " + e.getMessage(), e);
            first = failure;
        }
        listener.accept(first); // stop the database first: the marker below is I/O, and writers must not slip in meanwhile
        try {
            DataFile marker = super.open(dir.resolve(MARKER), OpenMode.WRITE);
            try (marker) {
                marker.write(java.nio.ByteBuffer.wrap((what + " failed: " + e + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0);
            }
        } catch (IOException | RuntimeException ignored) {
            // the disk may refuse this too: the failure state in memory still stops everything
        }
        return e;
    }

    private void refuseAfterFailure(String what) throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException(what + " refused: an earlier force failed (" + f.getMessage() + "); nothing is forced, created,"
                    + " renamed or deleted until the database is reopened", f);
        }
    }

    @Override
    public DataFile open(Path path, OpenMode mode) throws IOException {
        if (mode.writable()) refuseAfterFailure("opening " + path.getFileName() + " for writing");
        DataFile file = super.open(path, mode);
        OverlappingForces overlapping = new OverlappingForces();
        return new ForwardingDataFile(file) {
            @Override
            public void force(boolean metadata) throws IOException {
                // a force after a failed one may return success for pages the kernel already dropped (fsyncgate)
                refuseAfterFailure("force of " + path.getFileName());
                long ticket = overlapping.started();
                long horizon;
                try {
                    super.force(metadata);
                } catch (java.nio.channels.ClosedChannelException closedByUs) {
                    throw closedByUs; // the database closed or sealed this file itself: no fsync failed, the caller decides
                } catch (IOException e) {
                    throw trip(e, "force of " + path.getFileName()); // before the end below, so that overlapping forces see it
                } finally {
                    horizon = overlapping.ended(ticket);
                }
                overlapping.await(horizon, () -> failure != null);
                refuseAfterFailure("force of " + path.getFileName() + " (it overlapped one that failed, which may have taken the error for both)");
            }
        };
    }

    /**
     * The forces running on one open file. Linux reports a writeback error once per file
     * description: of two concurrent forces of the same descriptor, the one that checks second
     * returns success for pages that were lost. So a force that succeeded waits for the forces of
     * that descriptor that began before it ended, and counts as failed if one of them failed.
     * Forces of other files (a merge output, a hint) are not waited for.
     */
    private static final class OverlappingForces {
        private final java.util.TreeSet<Long> running = new java.util.TreeSet<>();
        private long nextTicket;

        synchronized long started() {
            long ticket = nextTicket++;
            running.add(ticket);
            return ticket;
        }

        /** Returns the horizon: every force with a smaller ticket began before this one ended. */
        synchronized long ended(long ticket) {
            running.remove(ticket);
            notifyAll();
            return nextTicket;
        }

        synchronized void await(long horizon, java.util.function.BooleanSupplier failed) {
            boolean interrupted = false;
            while (!failed.getAsBoolean() && !running.isEmpty() && running.first() < horizon) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    @Override
    public void syncDirectory(Path directory) throws IOException {
        refuseAfterFailure("directory sync of " + directory);
        try {
            super.syncDirectory(directory);
        } catch (IOException e) {
            throw trip(e, "directory sync of " + directory);
        }
    }

    @Override
    public void rename(Path source, Path target) throws IOException {
        refuseAfterFailure("rename of " + source.getFileName());
        super.rename(source, target);
    }

    @Override
    public void link(Path existing, Path link) throws IOException {
        refuseAfterFailure("link of " + existing.getFileName());
        super.link(existing, link);
    }

    @Override
    public void delete(Path path) throws IOException {
        refuseAfterFailure("delete of " + path.getFileName());
        super.delete(path);
    }
}
