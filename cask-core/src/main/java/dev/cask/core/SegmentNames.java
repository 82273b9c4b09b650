package dev.cask.core;

/** The names Cask gives its files inside a database directory. */
public final class SegmentNames {
    public static final String DATA_SUFFIX = ".data";
    public static final String LOCK_FILE = "cask.lock";
    /** Where recovery and repair keep a copy of every byte they cut out. */
    public static final String LOST_AND_FOUND = "lost+found";
    private static final int DIGITS = 10;

    private SegmentNames() {}

    public static String dataName(int id) {
        return pad(id) + DATA_SUFFIX;
    }

    /** The segment id a data file's name holds, or -1 if the name is not a data file's. */
    public static int dataId(String name) {
        return parse(name, DATA_SUFFIX);
    }

    static int parse(String name, String suffix) {
        if (!name.endsWith(suffix) || name.length() != DIGITS + suffix.length()) return -1;
        for (int i = 0; i < DIGITS; i++) if (!Character.isDigit(name.charAt(i))) return -1;
        long id = Long.parseLong(name, 0, DIGITS, 10);
        return id > 0 && id <= Integer.MAX_VALUE ? (int) id : -1;
    }

    static String pad(int id) {
        String digits = Integer.toString(id);
        return "0".repeat(DIGITS - digits.length()) + digits;
    }
}
