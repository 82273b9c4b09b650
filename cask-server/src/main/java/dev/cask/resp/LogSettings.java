package dev.cask.resp;

/**
 * The process's log as CONFIG GET and CONFIG SET reach it ({@code loglevel}, {@code logfile}):
 * the program that embeds the server owns the logging backend and hands this in.
 */
public interface LogSettings {
    /** Redis's name of the level in force: debug, verbose, notice, warning or nothing. */
    String level();

    /** Whether {@link #level(String)} can change the level (CONFIG SET loglevel is refused when not). */
    default boolean changeable() {
        return true;
    }

    /** Changes the level; an unknown name is an IllegalArgumentException whose message says what is allowed. */
    void level(String name);

    /** The log file, or "" for stderr. */
    String file();

    /** For a server whose log cannot be changed at run time (a library user's own backend). */
    static LogSettings fixed() {
        return new LogSettings() {
            @Override
            public String level() {
                return "notice";
            }

            @Override
            public boolean changeable() {
                return false;
            }

            @Override
            public void level(String name) {
                throw new IllegalArgumentException("the log level is set by the program that embeds the server");
            }

            @Override
            public String file() {
                return "";
            }
        };
    }
}
