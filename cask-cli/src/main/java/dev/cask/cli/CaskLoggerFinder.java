package dev.cask.cli;

import java.text.MessageFormat;
import java.util.ResourceBundle;

/** The command line's backend for System.Logger (found through META-INF/services): every logger writes through {@link LogSink}. */
public final class CaskLoggerFinder extends System.LoggerFinder {
    @Override
    public System.Logger getLogger(String name, Module module) {
        return new SinkLogger(name, name.startsWith("dev.cask."));
    }

    /** Debug lines come from Cask's own loggers only: the JDK's (Runtime.exit, sun.net) would drown them. */
    private record SinkLogger(String name, boolean ours) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return (ours || level.getSeverity() >= Level.INFO.getSeverity()) && LogSink.loggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (isLoggable(level)) LogSink.write(level, msg == null ? "" : msg, thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (!isLoggable(level)) return;
            LogSink.write(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params), null);
        }
    }
}
