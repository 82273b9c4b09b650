package dev.cask.fs;

import dev.cask.core.WriteBatch;
import java.util.List;

/**
 * Frees what no link holds any more: an inode whose last link went (now, or at its last release
 * while it was open), its chunks in bounded batches, and at mount what a crash left half done
 * (orphaned inodes, chunks past a file's end). Orphan markers make every step safe across a
 * crash: the next mount finishes it.
 */
final class InodeReaper {
    private final FsStore store;
    private final FileChunks chunks;
    private final InodeTable inodes;

    InodeReaper(FsStore store, FileChunks chunks, InodeTable inodes) {
        this.store = store;
        this.chunks = chunks;
        this.inodes = inodes;
    }

    /** At mount: frees the orphans a crash left, and the chunks past the end of files whose truncate it cut short. */
    void finishWhatACrashLeft(List<Long> orphans) {
        for (long ino : orphans) {
            inodes.remove(ino);
            freeInode(ino);
        }
        if (!orphans.isEmpty()) store.log("freed " + orphans.size() + " unlinked inodes that were still open when the filesystem last stopped");
        int cut = 0;
        for (Inode n : inodes.all()) {
            if (!n.isRegular()) continue;
            long before = n.blocks;
            freeChunks(n, n.ino, FileChunks.firstPast(n.size));
            if (n.blocks != before) cut++;
        }
        if (cut > 0) store.log("freed the chunks past the end of " + cut + " file(s) whose truncate a crash had cut short");
    }

    /**
     * Adds to {@code b} what a link taken away from {@code n} (its new state {@code written})
     * changes: the inode as it now is, or, after the last link, its deletion with its chunks, or
     * an orphan marker while it is still open. A file of more chunks than one batch deletes is
     * marked an orphan too, and {@link #afterDrop} frees it in bounded batches.
     */
    void dropLink(WriteBatch b, Inode n, Inode written) {
        if (written.nlink > 0) {
            b.put(FsKeys.inode(n.ino), InodeCodec.encode(written));
        } else if (n.openCount > 0 || chunks.mayStoreMoreThan(n.ino, FileChunks.FREE_BATCH)) {
            b.put(FsKeys.inode(n.ino), InodeCodec.encode(written));
            b.put(FsKeys.orphan(n.ino), new byte[0]);
        } else {
            b.delete(FsKeys.inode(n.ino));
            chunks.freeFrom(b, n.ino, 0); // all of them: fewer than one batch
        }
    }

    /** After a commit that took a link away from {@code n}. */
    void afterDrop(Inode n) {
        if (n.nlink == 0 && n.openCount == 0) {
            // the same test as dropLink's: more than one batch took the orphan route and is freed now; fewer went in the
            // unlink's own batch, and what the index still holds of them is stale
            if (chunks.mayStoreMoreThan(n.ino, FileChunks.FREE_BATCH)) freeInode(n.ino);
            else chunks.forget(n.ino);
            n.deleted = true;
        }
        inodes.dropIfUnused(n);
    }

    /** The last handle of {@code n} closed: an unlinked inode is freed now (its orphan marker, written at unlink, kept this safe). */
    void afterRelease(Inode n) {
        if (n.openCount == 0 && n.nlink == 0 && !n.deleted) {
            freeInode(n.ino);
            n.deleted = true;
        }
        inodes.dropIfUnused(n);
    }

    /** Deletes, in bounded batches, the stored chunks of {@code ino} from chunk {@code first} on; keeps {@code n}'s block count (if given). */
    void freeChunks(Inode n, long ino, long first) {
        while (true) {
            WriteBatch b = new WriteBatch();
            FileChunks.Freed freed = chunks.freeFrom(b, ino, first);
            if (b.size() > 0) store.write(b);
            if (n != null) n.blocks -= freed.blocks();
            if (!freed.more()) return;
        }
    }

    /** Frees an unlinked inode nobody has open: its chunks in bounded batches, then the inode and its orphan marker. */
    private void freeInode(long ino) {
        freeChunks(null, ino, 0);
        store.write(new WriteBatch().delete(FsKeys.inode(ino)).delete(FsKeys.orphan(ino)));
        chunks.forget(ino);
    }
}
