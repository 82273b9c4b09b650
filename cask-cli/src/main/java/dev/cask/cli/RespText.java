package dev.cask.cli;

import java.io.IOException;
import java.io.InputStream;

/** The little of RESP the benchmark drivers need: a command as text, and a reply's next line. */
final class RespText {
    private RespText() {}

    /** {@code words} as one RESP array of bulk strings (ASCII words). */
    static String command(String... words) {
        StringBuilder s = new StringBuilder("*").append(words.length).append("\r\n");
        for (String w : words) s.append('$').append(w.length()).append("\r\n").append(w).append("\r\n");
        return s.toString();
    }

    /** The next reply line, without its CRLF. */
    static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) throw new IOException("connection closed");
            if (b != '\r') s.append((char) b);
        }
        return s.toString();
    }
}
