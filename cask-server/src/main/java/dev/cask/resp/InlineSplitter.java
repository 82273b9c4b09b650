package dev.cask.resp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments the way Redis's {@code sdssplitargs} does:
 * spaces separate, "double quotes" take \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes'
 * take only \'. A quote must be followed by a space or the end.
 */
final class InlineSplitter {
    private InlineSplitter() {}

    /** The arguments of {@code line[0..length)} (its trailing \n excluded, a \r before it dropped). */
    static List<byte[]> split(byte[] line, int length) throws ProtocolException {
        if (length > 0 && line[length - 1] == '\r') length--;
        List<byte[]> args = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < length && isSpace(line[i])) i++;
            if (i >= length) return args;
            ByteArrayOutputStream arg = new ByteArrayOutputStream();
            if (line[i] == '"') {
                i++;
                while (true) {
                    if (i >= length) throw unbalanced();
                    byte c = line[i];
                    if (c == '\\' && i + 3 < length && line[i + 1] == 'x' && hex(line[i + 2]) >= 0 && hex(line[i + 3]) >= 0) {
                        arg.write(hex(line[i + 2]) * 16 + hex(line[i + 3]));
                        i += 4;
                    } else if (c == '\\' && i + 1 < length) {
                        byte e = line[i + 1];
                        arg.write(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> e;
                        });
                        i += 2;
                    } else if (c == '"') {
                        i++;
                        if (i < length && !isSpace(line[i])) throw unbalanced();
                        break;
                    } else {
                        arg.write(c);
                        i++;
                    }
                }
            } else if (line[i] == '\'') {
                i++;
                while (true) {
                    if (i >= length) throw unbalanced();
                    byte c = line[i];
                    if (c == '\\' && i + 1 < length && line[i + 1] == '\'') {
                        arg.write('\'');
                        i += 2;
                    } else if (c == '\'') {
                        i++;
                        if (i < length && !isSpace(line[i])) throw unbalanced();
                        break;
                    } else {
                        arg.write(c);
                        i++;
                    }
                }
            } else {
                while (i < length && !isSpace(line[i])) arg.write(line[i++]);
            }
            args.add(arg.toByteArray());
        }
    }

    private static ProtocolException unbalanced() {
        return new ProtocolException("unbalanced quotes in request");
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0x0b || b == '\f';
    }

    private static int hex(byte b) {
        return Character.digit(b, 16);
    }
}
