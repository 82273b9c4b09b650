package dev.cask.core;

/** The names Cask gives its files inside a database directory. */
public final class SegmentNames {
    public static final String DATA_SUFFIX = ".data";
    public static final String HINT_SUFFIX = ".hint";
    /** Suffix of files being written that are not committed yet: deleted at open. */
    public static final String TEMP_SUFFIX = ".tmp";
    public static final String LOCK_FILE = "cask.lock";
    /** Where recovery and repair keep a copy of every byte they cut out. */
    public static final String LOST_AND_FOUND = "lost+found";
    private static final int DIGITS = 10;

    private SegmentNames() {}

    public static String dataName(int id) {
        return pad(id) + DATA_SUFFIX;
    }

    public static String hintName(int id) {
        return pad(id) + HINT_SUFFIX;
    }

    public static int hintId(String name) {
        return parse(name, HINT_SUFFIX);
    }

    /** Whether the name is one of Cask's uncommitted temporary files ({@code *.data.tmp}, {@code *.hint.tmp}). */
    public static boolean isTemp(String name) {
        if (!name.endsWith(TEMP_SUFFIX)) return false;
        String base = name.substring(0, name.length() - TEMP_SUFFIX.length());
        return dataId(base) > 0 || hintId(base) > 0;
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
