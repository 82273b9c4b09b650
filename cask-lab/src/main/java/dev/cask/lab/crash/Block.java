package dev.cask.lab.crash;

import java.util.List;
import java.util.Map;

/** What one block of the model disk holds. Immutable: a write replaces a block's value. */
public sealed interface Block {
    /** Bytes left by an earlier life of the disk: what a pointer to a never-written block reads. */
    record Garbage(String from) implements Block {}

    record Super(int inodeBitmap, int dataBitmap, List<Integer> inodes) implements Block {}

    record Bitmap(List<Boolean> bits) implements Block {
        Bitmap with(int i, boolean v) {
            List<Boolean> copy = new java.util.ArrayList<>(bits);
            copy.set(i, v);
            return new Bitmap(List.copyOf(copy));
        }
    }

    /** An inode: in use, link count, size in bytes, direct block pointers. */
    record Inode(boolean used, int links, int size, List<Integer> blocks) implements Block {}

    record Dir(Map<String, Integer> entries) implements Block {}

    record Data(String text) implements Block {}

    /** Journal: the start of a transaction and the in-place blocks its logged copies go to. */
    record TxBegin(int tid, List<Integer> targets) implements Block {}

    /** Journal: a logged copy of a block. */
    record Logged(Block copy) implements Block {}

    /** Journal: the commit record, with a checksum of the logged copies (0 when the variant has none). */
    record TxEnd(int tid, long checksum) implements Block {}

    /** A journal slot whose transaction was freed after checkpointing. */
    record Free() implements Block {}
}
