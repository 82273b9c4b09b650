package dev.cask.core;

/**
 * What open does with bad bytes in a segment that has valid records after them, as RocksDB's
 * {@code wal_recovery_mode} names it. A torn write can only be the end of the log: bytes that end
 * inside a record, or a bad record with nothing valid after it, are always cut as a torn tail
 * (a copy kept in {@code lost+found}), whatever the mode. So is a run of zeros followed by valid
 * records in the newest segment: a write the kernel never wrote back before a power cut, past the
 * last force (a force covers the whole file, so nothing after the zeros was ever durable).
 * Anything else followed by valid records is damage, and each mode treats it differently.
 */
public enum RecoveryMode {
    /**
     * The default: refuse to open, naming the segment, the offset and how many valid records
     * follow, and point at {@code cask check --repair}. Nothing is cut or skipped silently.
     */
    TOLERATE_TORN_TAIL,
    /**
     * Cut the newest segment at the first bad record and drop everything after it, including
     * records that were forced: the database opens as it was just before the damage (a copy of
     * what was cut is kept). Older values of keys written after the damage can come back. Damage
     * in a closed segment still refuses the open.
     */
    POINT_IN_TIME,
    /**
     * Skip each damaged range, in any segment, and keep every valid record after it. The file is
     * not changed, so every open skips it again (and reports it) until {@code cask check --repair}
     * cuts it out. A record lost in the damaged range may let an older value of its key show.
     */
    SKIP_DAMAGED;

    /** Parses a CLI spelling: {@code tolerate-torn-tail}, {@code point-in-time}, {@code skip-damaged}. */
    public static RecoveryMode parse(String text) {
        for (RecoveryMode m : values()) {
            if (m.cliName().equalsIgnoreCase(text) || m.name().equalsIgnoreCase(text)) return m;
        }
        throw new IllegalArgumentException("unknown recovery mode '" + text + "': expected tolerate-torn-tail, point-in-time or skip-damaged");
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
