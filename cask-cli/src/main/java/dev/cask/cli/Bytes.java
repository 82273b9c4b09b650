package dev.cask.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Turning command-line text into key and value bytes, and bytes back into printable text. */
final class Bytes {
    private Bytes() {}

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    /** Printable ASCII as is; backslash, quote and every other byte escaped as \xHH. */
    static String escape(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') out.append((char) c);
            else out.append(String.format("\\x%02x", c));
        }
        return out.toString();
    }
}
