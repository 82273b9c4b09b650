package dev.cask.fs.fuse;

/** Where readdir puts entries: the reply buffer. */
public interface DirSink {
    /**
     * Adds one entry; {@code nextOffset} is the offset the next readdir starts from. Returns false
     * when the buffer is full, in which case the entry was not added (and, for readdirplus, the
     * kernel did not get a reference to it).
     */
    boolean add(byte[] name, Attr attr, long nextOffset);
}
