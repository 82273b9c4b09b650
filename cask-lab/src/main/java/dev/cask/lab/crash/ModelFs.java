package dev.cask.lab.crash;

import dev.cask.lab.crash.Block.Bitmap;
import dev.cask.lab.crash.Block.Data;
import dev.cask.lab.crash.Block.Dir;
import dev.cask.lab.crash.Block.Garbage;
import dev.cask.lab.crash.Block.Inode;
import dev.cask.lab.crash.Block.Logged;
import dev.cask.lab.crash.Block.Super;
import dev.cask.lab.crash.Block.TxBegin;
import dev.cask.lab.crash.Block.TxEnd;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A tiny file system on a list of blocks, in the shape of OSTEP's crash-consistency chapter:
 * superblock, inode bitmap, inode table, data bitmap, data blocks and a log region. One
 * directory (the root) holds the files. It turns an operation into the block writes a mode
 * makes, reads the files back, checks consistency, and recovers as each mode does.
 */
public final class ModelFs {
    static final int SUPER = 0;
    static final int INODE_BITMAP = 1;
    static final int DATA_BITMAP = 2;
    static final int INODE_TABLE = 3;
    static final int INODES = 4;
    static final int DATA = 7;
    static final int DATA_BLOCKS = 8;
    static final int LOG = 15;
    static final int LOG_BLOCKS = 8;
    /** Free blocks where copy-on-write puts new copies of metadata. */
    static final int SHADOW = 23;
    static final int SHADOW_BLOCKS = 12;
    static final int SIZE = SHADOW + SHADOW_BLOCKS;
    static final String GARBAGE_TEXT = "<garbage>";

    private ModelFs() {}

    /** The disk before any operation: file "a" holds "hello"; every unused block holds garbage. */
    public static List<Block> initialDisk() {
        List<Block> disk = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) disk.add(new Garbage("block " + i + " of an earlier life"));
        disk.set(SUPER, new Super(INODE_BITMAP, DATA_BITMAP, List.of(INODE_TABLE, INODE_TABLE + 1, INODE_TABLE + 2, INODE_TABLE + 3)));
        disk.set(INODE_BITMAP, new Bitmap(List.of(true, true, false, false)));
        disk.set(DATA_BITMAP, new Bitmap(List.of(true, true, false, false, false, false, false, false)));
        disk.set(INODE_TABLE, new Inode(true, 2, 1, List.of(DATA))); // the root directory
        disk.set(INODE_TABLE + 1, new Inode(true, 1, 5, List.of(DATA + 1)));
        disk.set(INODE_TABLE + 2, new Inode(false, 0, 0, List.of()));
        disk.set(INODE_TABLE + 3, new Inode(false, 0, 0, List.of()));
        disk.set(DATA, new Dir(Map.of("a", 1)));
        disk.set(DATA + 1, new Data("hello"));
        for (int i = 0; i < LOG_BLOCKS; i++) disk.set(LOG + i, new Garbage("stale log slot " + i));
        return disk;
    }

    // ---- reading ----

    /** The files, name to content (a never-written block reads as {@value #GARBAGE_TEXT}); throws if the structures cannot be read. */
    public static Map<String, String> files(List<Block> disk) {
        Super s = (Super) disk.get(SUPER);
        Inode root = (Inode) disk.get(s.inodes().get(0));
        Dir dir = (Dir) disk.get(root.blocks().get(0));
        Map<String, String> files = new TreeMap<>();
        for (Map.Entry<String, Integer> e : dir.entries().entrySet()) {
            Inode inode = (Inode) disk.get(s.inodes().get(e.getValue()));
            StringBuilder content = new StringBuilder();
            for (int b : inode.blocks()) content.append(disk.get(b) instanceof Data d ? d.text() : GARBAGE_TEXT);
            files.put(e.getKey(), content.toString());
        }
        return files;
    }

    /** Every way the structures disagree with each other (an empty list: consistent). */
    public static List<String> problems(List<Block> disk) {
        List<String> problems = new ArrayList<>();
        try {
            Super s = (Super) disk.get(SUPER);
            Bitmap ibm = (Bitmap) disk.get(s.inodeBitmap());
            Bitmap dbm = (Bitmap) disk.get(s.dataBitmap());
            Inode root = (Inode) disk.get(s.inodes().get(0));
            Dir dir = (Dir) disk.get(root.blocks().get(0));
            int[] refs = new int[INODES];
            boolean[] usedBlocks = new boolean[DATA_BLOCKS];
            usedBlocks[root.blocks().get(0) - DATA] = true;
            for (Map.Entry<String, Integer> e : dir.entries().entrySet()) {
                Inode inode = (Inode) disk.get(s.inodes().get(e.getValue()));
                if (!inode.used()) problems.add("entry " + e.getKey() + " points to free inode " + e.getValue());
                refs[e.getValue()]++;
            }
            for (int i = 1; i < INODES; i++) {
                Inode inode = (Inode) disk.get(s.inodes().get(i));
                if (inode.used() != ibm.bits().get(i)) problems.add("inode bitmap says " + ibm.bits().get(i) + " for inode " + i);
                if (!inode.used()) continue;
                if (refs[i] == 0) problems.add("inode " + i + " is used but in no directory (orphan)");
                if (inode.links() != refs[i]) problems.add("inode " + i + " has link count " + inode.links() + ", " + refs[i] + " entries");
                for (int b : inode.blocks()) {
                    if (b < DATA || b >= DATA + DATA_BLOCKS) problems.add("inode " + i + " points outside the data region: " + b);
                    else if (usedBlocks[b - DATA]) problems.add("block " + b + " is claimed twice");
                    else usedBlocks[b - DATA] = true;
                }
            }
            for (int b = 0; b < DATA_BLOCKS; b++) {
                if (usedBlocks[b] != dbm.bits().get(b)) problems.add("data bitmap says " + dbm.bits().get(b) + " for block " + (DATA + b));
            }
        } catch (ClassCastException | IndexOutOfBoundsException | NullPointerException e) {
            problems.add("unreadable structure: " + e.getClass().getSimpleName());
        }
        return problems;
    }

    // ---- the operations, as in-place block writes ----

    /** The in-place writes of an operation on the current disk, in the order a naive file system issues them. */
    public static List<Step.Write> inPlaceWrites(List<Block> disk, String op) {
        Super s = (Super) disk.get(SUPER);
        Bitmap ibm = (Bitmap) disk.get(s.inodeBitmap());
        Bitmap dbm = (Bitmap) disk.get(s.dataBitmap());
        Inode root = (Inode) disk.get(s.inodes().get(0));
        Dir dir = (Dir) disk.get(root.blocks().get(0));
        List<Step.Write> writes = new ArrayList<>();
        switch (op) {
            case "touch" -> { // create "b"
                int ino = ibm.bits().indexOf(false);
                writes.add(new Step.Write(s.inodeBitmap(), ibm.with(ino, true), "IB[v2]"));
                writes.add(new Step.Write(s.inodes().get(ino), new Inode(true, 1, 0, List.of()), "I[b]"));
                Map<String, Integer> entries = new LinkedHashMap<>(dir.entries());
                entries.put("b", ino);
                writes.add(new Step.Write(root.blocks().get(0), new Dir(Map.copyOf(entries)), "D[dir]"));
            }
            case "append" -> { // append " world" to "a" in a new block (OSTEP: Db, I[v2], B[v2])
                int ino = dir.entries().get("a");
                Inode a = (Inode) disk.get(s.inodes().get(ino));
                int free = dbm.bits().indexOf(false);
                List<Integer> blocks = new ArrayList<>(a.blocks());
                blocks.add(DATA + free);
                writes.add(new Step.Write(DATA + free, new Data(" world"), "Db"));
                writes.add(new Step.Write(s.inodes().get(ino), new Inode(true, a.links(), a.size() + 6, List.copyOf(blocks)), "I[v2]"));
                writes.add(new Step.Write(s.dataBitmap(), dbm.with(free, true), "B[v2]"));
            }
            case "unlink" -> { // remove "a"
                int ino = dir.entries().get("a");
                Inode a = (Inode) disk.get(s.inodes().get(ino));
                Map<String, Integer> entries = new LinkedHashMap<>(dir.entries());
                entries.remove("a");
                writes.add(new Step.Write(root.blocks().get(0), new Dir(Map.copyOf(entries)), "D[dir]"));
                writes.add(new Step.Write(s.inodes().get(ino), new Inode(false, 0, 0, List.of()), "I[free]"));
                writes.add(new Step.Write(s.inodeBitmap(), ibm.with(ino, false), "IB[v2]"));
                Bitmap freed = dbm;
                for (int b : a.blocks()) freed = freed.with(b - DATA, false);
                writes.add(new Step.Write(s.dataBitmap(), freed, "B[v2]"));
            }
            default -> throw new IllegalArgumentException("unknown operation '" + op + "': touch, append, unlink or all");
        }
        return writes;
    }

    /** The steps a mode takes to apply an operation. */
    public static List<Step> steps(List<Block> disk, String op, Mode mode) {
        List<Step.Write> writes = inPlaceWrites(disk, op);
        List<Step> steps = new ArrayList<>();
        switch (mode) {
            case NAIVE -> steps.addAll(writes);
            case JOURNAL_DATA, JOURNAL_DATA_NOBARRIER, JOURNAL_DATA_CHECKSUM -> journal(steps, writes, mode);
            case JOURNAL_ORDERED -> {
                List<Step.Write> data = writes.stream().filter(w -> w.content() instanceof Data).toList();
                steps.addAll(data);
                if (!data.isEmpty()) steps.add(new Step.Barrier());
                journal(steps, writes.stream().filter(w -> !(w.content() instanceof Data)).toList(), mode);
            }
            case COW -> copyOnWrite(disk, steps, writes);
        }
        return steps;
    }

    private static void journal(List<Step> steps, List<Step.Write> writes, Mode mode) {
        int tid = 1;
        steps.add(new Step.Write(LOG, new TxBegin(tid, writes.stream().map(Step.Write::block).toList()), "TxB"));
        for (int i = 0; i < writes.size(); i++) steps.add(new Step.Write(LOG + 1 + i, new Logged(writes.get(i).content()), "J(" + writes.get(i).label() + ")"));
        if (mode != Mode.JOURNAL_DATA_NOBARRIER && mode != Mode.JOURNAL_DATA_CHECKSUM) steps.add(new Step.Barrier());
        long checksum = mode == Mode.JOURNAL_DATA_CHECKSUM ? checksum(writes.stream().map(w -> (Block) new Logged(w.content())).toList()) : 0;
        steps.add(new Step.Write(LOG + 1 + writes.size(), new TxEnd(tid, checksum), "TxE"));
        steps.add(new Step.Barrier());
        for (Step.Write w : writes) steps.add(new Step.Write(w.block(), w.content(), "ckpt(" + w.label() + ")"));
        steps.add(new Step.Barrier());
        steps.add(new Step.Write(LOG, new Block.Free(), "free"));
    }

    static long checksum(List<Block> logged) {
        long h = 1125899906842597L;
        for (Block b : logged) h = 31 * h + b.toString().hashCode();
        return h == 0 ? 1 : h;
    }

    /**
     * Copy-on-write: never overwrite a live block. New data goes to free blocks (as in place);
     * every changed metadata block is written as a new copy elsewhere (a directory to a newly
     * allocated data block, whose bitmap bit moves with it), and one superblock write, after a
     * barrier, switches from the old structures to the new ones.
     */
    private static void copyOnWrite(List<Block> disk, List<Step> steps, List<Step.Write> writes) {
        Super s = (Super) disk.get(SUPER);
        List<Block> after = apply(disk, writes);
        Inode root = (Inode) disk.get(s.inodes().get(0));
        int oldDir = root.blocks().get(0);
        Bitmap dbm = (Bitmap) after.get(s.dataBitmap());
        boolean dirChanged = !after.get(oldDir).equals(disk.get(oldDir));
        int newDir = oldDir;
        if (dirChanged) {
            // free before the operation as well as after: a block the operation frees is still live until the flip
            Bitmap before = (Bitmap) disk.get(s.dataBitmap());
            int free = 0;
            while (before.bits().get(free) || dbm.bits().get(free)) free++;
            newDir = DATA + free;
            dbm = dbm.with(free, true).with(oldDir - DATA, false);
        }
        for (Step.Write w : writes) if (w.content() instanceof Data) steps.add(w);
        if (dirChanged) steps.add(new Step.Write(newDir, after.get(oldDir), "D[dir]'"));
        int shadow = SHADOW;
        List<Integer> inodes = new ArrayList<>(s.inodes());
        for (int i = 0; i < INODES; i++) {
            Block inode = i == 0 && dirChanged ? new Inode(true, root.links(), root.size(), List.of(newDir)) : after.get(s.inodes().get(i));
            if (inode.equals(disk.get(s.inodes().get(i)))) continue;
            steps.add(new Step.Write(shadow, inode, "I" + i + "'"));
            inodes.set(i, shadow++);
        }
        int inodeBitmap = s.inodeBitmap();
        if (!after.get(s.inodeBitmap()).equals(disk.get(s.inodeBitmap()))) {
            steps.add(new Step.Write(shadow, after.get(s.inodeBitmap()), "IB'"));
            inodeBitmap = shadow++;
        }
        int dataBitmap = s.dataBitmap();
        if (!dbm.equals(disk.get(s.dataBitmap()))) {
            steps.add(new Step.Write(shadow, dbm, "B'"));
            dataBitmap = shadow++;
        }
        steps.add(new Step.Barrier());
        steps.add(new Step.Write(SUPER, new Super(inodeBitmap, dataBitmap, List.copyOf(inodes)), "super"));
    }

    // ---- recovery ----

    /** The writes a mode's recovery makes on this disk (fsck repairs, journal replay; none for cow). */
    public static List<Step.Write> recoveryWrites(List<Block> disk, Mode mode) {
        return switch (mode) {
            case NAIVE -> fsck(disk);
            case COW -> List.of();
            default -> replay(disk);
        };
    }

    private static List<Step.Write> replay(List<Block> disk) {
        if (!(disk.get(LOG) instanceof TxBegin begin)) return List.of();
        int n = begin.targets().size();
        if (!(disk.get(LOG + 1 + n) instanceof TxEnd end) || end.tid() != begin.tid()) return List.of(); // never committed
        List<Block> logged = disk.subList(LOG + 1, LOG + 1 + n);
        if (end.checksum() != 0 && end.checksum() != checksum(logged)) return List.of(); // committed, but its blocks never all arrived
        List<Step.Write> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Block copy = logged.get(i) instanceof Logged l ? l.copy() : logged.get(i); // what the slot really holds, garbage too
            writes.add(new Step.Write(begin.targets().get(i), copy, "replay"));
        }
        writes.add(new Step.Write(LOG, new Block.Free(), "free"));
        return writes;
    }

    /** fsck: drop dangling entries, free orphans, fix link counts, rebuild both bitmaps. It cannot see garbage contents. */
    static List<Step.Write> fsck(List<Block> disk) {
        List<Step.Write> repairs = new ArrayList<>();
        Super s;
        Inode root;
        Dir dir;
        try {
            s = (Super) disk.get(SUPER);
            root = (Inode) disk.get(s.inodes().get(0));
            dir = (Dir) disk.get(root.blocks().get(0));
        } catch (ClassCastException e) {
            return repairs; // the root is unreadable: nothing fsck can rebuild from
        }
        Map<String, Integer> entries = new LinkedHashMap<>();
        int[] refs = new int[INODES];
        for (Map.Entry<String, Integer> e : dir.entries().entrySet()) {
            if (disk.get(s.inodes().get(e.getValue())) instanceof Inode in && in.used()) {
                entries.put(e.getKey(), e.getValue());
                refs[e.getValue()]++;
            }
        }
        if (!entries.equals(dir.entries())) repairs.add(new Step.Write(root.blocks().get(0), new Dir(Map.copyOf(entries)), "fsck:dir"));
        List<Boolean> ibits = new ArrayList<>(List.of(true, false, false, false));
        List<Boolean> dbits = new ArrayList<>(java.util.Collections.nCopies(DATA_BLOCKS, false));
        dbits.set(root.blocks().get(0) - DATA, true);
        for (int i = 1; i < INODES; i++) {
            if (!(disk.get(s.inodes().get(i)) instanceof Inode in) || !in.used()) continue;
            if (refs[i] == 0) {
                repairs.add(new Step.Write(s.inodes().get(i), new Inode(false, 0, 0, List.of()), "fsck:orphan"));
                continue;
            }
            if (in.links() != refs[i]) repairs.add(new Step.Write(s.inodes().get(i), new Inode(true, refs[i], in.size(), in.blocks()), "fsck:links"));
            ibits.set(i, true);
            for (int b : in.blocks()) if (b >= DATA && b < DATA + DATA_BLOCKS) dbits.set(b - DATA, true);
        }
        if (!new Bitmap(List.copyOf(ibits)).equals(disk.get(s.inodeBitmap()))) repairs.add(new Step.Write(s.inodeBitmap(), new Bitmap(List.copyOf(ibits)), "fsck:ibm"));
        if (!new Bitmap(List.copyOf(dbits)).equals(disk.get(s.dataBitmap()))) repairs.add(new Step.Write(s.dataBitmap(), new Bitmap(List.copyOf(dbits)), "fsck:dbm"));
        return repairs;
    }

    static List<Block> apply(List<Block> disk, List<Step.Write> writes) {
        List<Block> copy = new ArrayList<>(disk);
        for (Step.Write w : writes) copy.set(w.block(), w.content());
        return copy;
    }
}
