package dev.cask.resp;

import static dev.cask.resp.RawClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.CaskOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import redis.clients.jedis.Jedis;

/**
 * Random and hostile bytes: huge and negative declared lengths, deep arrays, truncated streams,
 * garbage. The parser's memory stays within its limits whatever it is fed; the live server
 * survives every input and its other clients are unaffected.
 */
class RespFuzzProperties {
    private static final RespLimits LIMITS = new RespLimits(1 << 20, 4096, 2 << 20);
    private static Path dir;
    private static TestServer server;
    private static Jedis bystander;

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("cask-fuzz");
        server = TestServer.start(dir, CaskOptions.defaults(), null, LIMITS, TestServer.defaultLimits());
        bystander = new Jedis("127.0.0.1", server.port());
        bystander.set("canary", "alive");
    }

    @AfterContainer
    static void stop() {
        bystander.close();
        server.close();
    }

    @Provide
    Arbitrary<byte[]> hostile() {
        Arbitrary<String> pieces = Arbitraries.oneOf(
                Arbitraries.of("*", "$", "\r\n", "\n", "\r", "-1", "0", "+OK", ":", "\"", "'", " ", "\\x4", "PING", "SET", "GET", "k"),
                Arbitraries.longs().map(n -> Long.toString(n)),
                Arbitraries.of("*2147483648\r\n", "$9223372036854775807\r\n", "*-2147483649\r\n", "$-1\r\n", "*0\r\n",
                        "$1048577\r\n", "*4097\r\n", "*1\r\n*1\r\n*1\r\n*1\r\n", "$4\r\nab", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\n"),
                Arbitraries.strings().ofMaxLength(40));
        Arbitrary<byte[]> structured = pieces.list().ofMaxSize(60).map(l -> String.join("", l).getBytes(StandardCharsets.ISO_8859_1));
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(5000);
        return Arbitraries.oneOf(structured, random);
    }

    @Property(tries = 300)
    void theParserNeverHoldsMoreThanItsLimits(@ForAll("hostile") byte[] input, @ForAll Random random) {
        RespParser parser = new RespParser(LIMITS);
        List<List<byte[]>> requests = new ArrayList<>();
        int at = 0;
        try {
            while (at < input.length) { // fed in random splits, as reads would cut it
                int n = Math.min(input.length - at, 1 + random.nextInt(64));
                parser.parse(ByteBuffer.wrap(input, at, n), args -> {
                    assertThat(args).isNotEmpty();
                    requests.add(args);
                    return true;
                });
                at += n;
                assertThat(parser.buffered()).isLessThanOrEqualTo(LIMITS.maxQueryBuffer() + RespLimits.MAX_LINE);
            }
        } catch (ProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
        for (List<byte[]> r : requests) assertThat(r.size()).isLessThanOrEqualTo(LIMITS.maxArrayLength());
    }

    @Property(tries = 150)
    void theServerSurvivesAndOthersAreUnaffected(@ForAll("hostile") byte[] input, @ForAll boolean truncateAndClose) throws IOException {
        try (RawClient c = new RawClient(server.port())) {
            c.send(input);
            if (truncateAndClose) c.socket.shutdownOutput();
        } catch (IOException serverClosedFirst) {
            // a protocol error may close the socket while we still write: fine
        }
        assertThat(bystander.get("canary")).isEqualTo("alive");
        try (RawClient fresh = new RawClient(server.port())) {
            fresh.send(command("PING"));
            assertThat(fresh.reply()).isEqualTo("+PONG\r\n");
        }
    }

    @Provide
    Arbitrary<List<String>> sessions() {
        Arbitrary<String> key = Arbitraries.of("a", "b", "counter", "big", "list");
        Arbitrary<String> commandText = Arbitraries.oneOf(
                key.map(k -> command("SET", k, "v" + k)),
                key.map(k -> command("GET", k)),
                key.map(k -> command("INCR", k)),
                key.map(k -> command("APPEND", k, "x")),
                key.map(k -> command("DEL", k)),
                key.map(k -> command("EXPIRE", k, "1")),
                Arbitraries.of(command("HELLO", "3"), command("HELLO", "2"), command("HELLO", "4"), command("PING"),
                        command("NOSUCHCOMMAND", "x"), command("GET"), command("SET", "k"), command("CLIENT", "LIST"),
                        command("COMMAND", "COUNT"), command("INFO"), command("SCAN", "0", "COUNT", "5"), command("KEYS", "*"),
                        command("MGET", "a", "b", "big", "nosuch"), command("SET", "big", "z".repeat(200_000)),
                        "PING\r\n", "GET a\r\n", "\r\n", "*1\r\n$4\r\nPING\r\n"),
                Arbitraries.integers().between(1, 10_000).map(n -> { // a large MSET, as one client suite sends
                    String[] args = new String[1 + 2 * n];
                    args[0] = "MSET";
                    for (int i = 0; i < n; i++) {
                        args[1 + 2 * i] = "m" + i;
                        args[2 + 2 * i] = "v" + i;
                    }
                    return command(args);
                }));
        return commandText.list().ofMinSize(1).ofMaxSize(40);
    }

    /**
     * Pipelines of valid and invalid commands, RESP3 switches, replies read only in part, and
     * connections reset while their replies are held: the mix under which the loop once stopped
     * with a NoSuchElementException. Nothing a client does stops the loop or disturbs another client.
     */
    @Property(tries = 40)
    void pipelinesProtocolSwitchesAndHalfReadRepliesNeverStopTheLoop(@ForAll("sessions") List<String> session,
                                                                     @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 3) int ending,
                                                                     @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 4096) int readFirst)
            throws IOException {
        java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port());
        try {
            socket.setSoTimeout(200); // a half-read reply: wait briefly for what came, not for what never will
            socket.getOutputStream().write(String.join("", session).getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            switch (ending) {
                case 0 -> socket.getInputStream().readNBytes(readFirst); // half-read, then a plain close
                case 1 -> socket.setSoLinger(true, 0); // a reset, maybe while replies are still held
                case 2 -> socket.shutdownOutput();
                default -> { } // close at once
            }
        } catch (IOException serverClosedFirst) {
            // fine: the server may have cut it off
        } finally {
            socket.close();
        }
        assertThat(bystander.get("canary")).isEqualTo("alive");
        try (RawClient fresh = new RawClient(server.port())) {
            fresh.send(command("PING"));
            assertThat(fresh.reply()).isEqualTo("+PONG\r\n");
        }
    }
}
