/** The {@code cask} command line: every part of Cask behind one picocli command, and the log backend for them all. */
module dev.cask.cli {
    requires dev.cask.core;
    requires dev.cask.server;
    requires dev.cask.fs;
    requires dev.cask.lab;
    requires info.picocli;
    requires HdrHistogram;
    requires jdk.management;
    requires java.desktop; // the charts: AWT draws them, headless
    requires org.jfree.jfreechart;
    requires com.google.gson;

    opens dev.cask.cli to info.picocli; // picocli sets the annotated option fields reflectively
    provides System.LoggerFinder with dev.cask.cli.CaskLoggerFinder;
}
