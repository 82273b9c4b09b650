package dev.cask.lab.crash;

/** How the model file system makes an operation's block writes reach the disk. */
public enum Mode {
    /** Writes in place, in any order, no barriers. */
    NAIVE("naive"),
    /** Data journaling: TxB and logged copies, barrier, TxE, barrier, checkpoint, barrier, free. */
    JOURNAL_DATA("journal-data"),
    /** Data journaling whose commit block is not fenced: TxE may reach the disk before the blocks it commits. Deliberately unsafe. */
    JOURNAL_DATA_NOBARRIER("journal-data-nobarrier"),
    /** As the unsafe variant, but TxE carries a checksum of the logged blocks, which recovery checks. */
    JOURNAL_DATA_CHECKSUM("journal-data-checksum"),
    /** Ordered metadata journaling: data written in place first, barrier, then only metadata journaled. */
    JOURNAL_ORDERED("journal-ordered"),
    /** Copy-on-write: new copies of everything changed, barrier, then one atomic write of the superblock. */
    COW("cow");

    public final String id;

    Mode(String id) {
        this.id = id;
    }

    public boolean journaled() {
        return id.startsWith("journal");
    }

    public static Mode parse(String text) {
        for (Mode m : values()) if (m.id.equals(text)) return m;
        throw new IllegalArgumentException("unknown mode '" + text + "': naive, journal-data, journal-data-nobarrier, journal-data-checksum, journal-ordered, cow or all");
    }
}
