package dev.cask.fs;

import dev.cask.core.Cask;
import dev.cask.core.WriteBatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a filesystem's keys at mount into inodes and directories (creating an empty filesystem
 * when the store holds none). It only reads and creates: what a crash left to finish (orphaned
 * inodes, chunks past a file's end) is finished by {@link CaskFileSystem}, through its own writes.
 */
final class StoredTree {
    /** What the store holds: the next free inode number, every inode by number, the orphans, and entries that point nowhere. */
    record Loaded(long nextIno, Map<Long, Inode> inodes, List<Long> orphans, int danglingEntries) {}

    private StoredTree() {}

    static Loaded read(Cask cask, FileChunks chunks, int rootUid, int rootGid, long now) {
        byte[] sb = cask.get(FsKeys.superblock());
        if (sb == null) {
            if (cask.size() > 0) throw new IllegalStateException("database " + cask.directory() + " holds keys but no filesystem superblock: not a cask filesystem");
            Inode root = new Inode(CaskFileSystem.ROOT, Inode.S_IFDIR | 0755, rootUid, rootGid, now);
            root.nlink = 2;
            cask.write(new WriteBatch().put(FsKeys.inode(CaskFileSystem.ROOT), InodeCodec.encode(root))
                    .put(FsKeys.superblock(), InodeCodec.encodeSuperblock(CaskFileSystem.ROOT + 1)));
            cask.sync();
            sb = InodeCodec.encodeSuperblock(CaskFileSystem.ROOT + 1);
        }
        List<byte[]> inodeKeys = new ArrayList<>();
        List<byte[]> entryKeys = new ArrayList<>();
        List<Long> orphans = new ArrayList<>();
        Map<Long, Long> blocks = new HashMap<>();
        cask.forEachKey(k -> {
            switch (k[0]) {
                case FsKeys.INODE -> inodeKeys.add(k.clone());
                case FsKeys.ENTRY -> entryKeys.add(k.clone());
                case FsKeys.ORPHAN -> orphans.add(FsKeys.ino(k));
                case FsKeys.CHUNK -> {
                    blocks.merge(FsKeys.ino(k), chunks.storedBlocks(k), Long::sum);
                    chunks.found(FsKeys.ino(k), FsKeys.chunkIndex(k));
                }
                default -> { }
            }
        });
        Map<Long, Inode> inodes = new HashMap<>();
        for (byte[] k : inodeKeys) {
            byte[] v = cask.get(k);
            if (v == null) continue;
            Inode n = InodeCodec.decode(FsKeys.ino(k), v);
            if (n.isDirectory()) n.directory = new Directory(n.ino == CaskFileSystem.ROOT ? CaskFileSystem.ROOT : 0);
            n.blocks = blocks.getOrDefault(n.ino, 0L);
            inodes.put(n.ino, n);
        }
        Inode root = inodes.get(CaskFileSystem.ROOT);
        if (root == null || !root.isDirectory()) throw new IllegalStateException("filesystem in " + cask.directory() + " has no root directory");
        int dangling = 0;
        for (byte[] k : entryKeys) {
            byte[] v = cask.get(k);
            Inode parent = inodes.get(FsKeys.ino(k));
            Inode child = v == null ? null : inodes.get(FsKeys.longValue(v));
            if (parent == null || parent.directory == null || child == null) {
                dangling++; // cannot happen with atomic batches; counted so a damaged store is reported, not hidden
                continue;
            }
            parent.directory.put(FsKeys.entryName(k), child.ino);
            if (child.directory != null) child.directory.parent = parent.ino;
        }
        return new Loaded(InodeCodec.decodeSuperblock(sb), inodes, orphans, dangling);
    }
}
