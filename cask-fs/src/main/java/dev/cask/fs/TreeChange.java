package dev.cask.fs;

import dev.cask.core.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One operation's change of the tree, all or nothing. The operation copies the inodes it changes
 * ({@link #touch}), changes the copies, and adds its entry and chunk keys to {@link #batch};
 * {@link #commit} writes the copies' new state with them in one batch and only then applies each
 * copy to its inode in memory, so a write the store refused leaves the tree in memory as the
 * store has it. Each operation of {@link CaskFileSystem} then states only its POSIX rule.
 */
final class TreeChange {
    final WriteBatch batch = new WriteBatch();
    private final List<Inode> inodes = new ArrayList<>();
    private final List<Inode> copies = new ArrayList<>();
    private final List<Boolean> recorded = new ArrayList<>();

    /** The copy of {@code n} to change (the same one if touched before); its new state is written at commit. */
    Inode touch(Inode n) {
        return copy(n, true);
    }

    /** As {@link #touch}, but the operation writes or deletes the inode's record itself (a last link gone, a directory removed). */
    Inode touchUnrecorded(Inode n) {
        return copy(n, false);
    }

    /** A directory whose entries change: touched, its mtime and ctime set to {@code now}. */
    Inode touchDirectory(Inode p, long now) {
        Inode w = touch(p);
        w.mtime = now;
        w.ctime = now;
        return w;
    }

    private Inode copy(Inode n, boolean record) {
        for (int i = 0; i < inodes.size(); i++) if (inodes.get(i) == n) return copies.get(i);
        Inode c = n.copy();
        inodes.add(n);
        copies.add(c);
        recorded.add(record);
        return c;
    }

    /** Writes the batch with every touched inode's new state, then applies the copies in memory. */
    void commit(Consumer<WriteBatch> write) {
        for (int i = 0; i < inodes.size(); i++) {
            if (recorded.get(i)) batch.put(FsKeys.inode(inodes.get(i).ino), InodeCodec.encode(copies.get(i)));
        }
        write.accept(batch);
        for (int i = 0; i < inodes.size(); i++) inodes.get(i).apply(copies.get(i));
    }
}
