package dev.cask.fs;

import dev.cask.core.Cask;
import dev.cask.core.CaskException;
import dev.cask.core.LimitExceededException;
import dev.cask.core.NoSpaceException;
import dev.cask.core.WriteBatch;
import dev.cask.fs.fuse.Errno;
import dev.cask.fs.fuse.FsTime;
import java.util.function.Consumer;

/**
 * The filesystem's way into its Cask database: batches written and forced, with each store
 * failure turned into the errno a POSIX caller expects (a full disk ENOSPC, a value over a limit
 * EFBIG, anything else EIO), logged because the user has to act; and the one clock.
 */
final class FsStore {
    final Cask cask;
    private final Consumer<String> log;

    FsStore(Cask cask, Consumer<String> log) {
        this.cask = cask;
        this.log = log;
    }

    void write(WriteBatch b) {
        try {
            cask.write(b);
        } catch (LimitExceededException e) {
            throw new Errno(Errno.EFBIG, e.getMessage());
        } catch (CaskException e) {
            throw failure(e);
        }
    }

    void sync() {
        try {
            cask.sync();
        } catch (CaskException e) {
            throw failure(e);
        }
    }

    void log(String message) {
        log.accept(message);
    }

    /** Now, in the filesystem's time scale ({@link FsTime}), from the database's clock. */
    long now() {
        return FsTime.now(cask.options().clock());
    }

    private Errno failure(CaskException e) {
        boolean full = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (NoSpaceException.isNoSpace(t)) full = true;
        }
        log.accept("store write failed, answered " + (full ? "ENOSPC" : "EIO") + ": " + e.getMessage());
        return new Errno(full ? Errno.ENOSPC : Errno.EIO, e.getMessage());
    }
}
