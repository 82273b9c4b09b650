package dev.cask.resp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain blocking socket that speaks bytes, to send what no client library would. */
final class RawClient implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    RawClient send(String s) throws IOException {
        return send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] b) throws IOException {
        out.write(b);
        out.flush();
        return this;
    }

    static String command(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) b.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        return b.toString();
    }

    /** Reads exactly {@code n} bytes (or fewer if the peer closes). */
    String read(int n) throws IOException {
        return new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    /** Reads one line, CR LF included. */
    String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (c == '\n') break;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one whole reply of any RESP2 type (and RESP3's sets, maps and one-line types), as its raw bytes. */
    String reply() throws IOException {
        String head = line();
        if (head.isEmpty()) return head;
        char type = head.charAt(0);
        if (type == '$') {
            int n = Integer.parseInt(head.substring(1).trim());
            return n < 0 ? head : head + read(n + 2);
        }
        if (type == '*' || type == '~' || type == '%') { // an array, a RESP3 set, a RESP3 map (two replies per entry)
            int n = Integer.parseInt(head.substring(1).trim()) * (type == '%' ? 2 : 1);
            StringBuilder all = new StringBuilder(head);
            for (int i = 0; i < n; i++) all.append(reply());
            return all.toString();
        }
        return head;
    }

    /** Whether the server closed the connection: EOF (or a reset) within the timeout, after reading what was left. */
    boolean closedByPeer() throws IOException {
        socket.setSoTimeout(10_000);
        try {
            byte[] sink = new byte[65536];
            while (true) {
                if (in.read(sink) < 0) return true;
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
