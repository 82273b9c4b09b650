package dev.cask.resp;

import static dev.cask.resp.RawClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.testkit.FaultyFileLayer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain SETs of one turn go to disk as one append; reads in between see them; a failed append acknowledges none of them. */
class WriteCombiningTest {
    @TempDir
    Path dir;

    @Test
    void aPipelineOfSetsIsOneAppendAndReadsInBetweenSeeThem() throws Exception {
        FaultyFileLayer files = new FaultyFileLayer();
        try (TestServer server = TestServer.start(dir, CaskOptions.defaults().withFileLayer(files), null, RespLimits.forValues(1 << 20),
                TestServer.defaultLimits()); RawClient c = new RawClient(server.port())) {
            int writesBefore = files.writes.get();
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 200; i++) pipeline.append(command("SET", "k" + i, "v" + i));
            pipeline.append(command("GET", "k199")).append(command("MSET", "a", "1", "b", "2")).append(command("SET", "k0", "again"));
            c.send(pipeline.toString());
            for (int i = 0; i < 200; i++) assertThat(c.reply()).isEqualTo("+OK\r\n");
            assertThat(c.reply()).isEqualTo("$4\r\nv199\r\n"); // the GET flushed the 200 SETs first
            assertThat(c.reply()).isEqualTo("+OK\r\n");
            assertThat(c.reply()).isEqualTo("+OK\r\n");
            assertThat(files.writes.get() - writesBefore).isBetween(1, 10); // not 202
            assertThat(server.cask.get("k0".getBytes())).isEqualTo("again".getBytes());
            assertThat(server.cask.get("b".getBytes())).isEqualTo("2".getBytes());
        }
    }

    @Test
    void aFailedAppendAcknowledgesNoneOfItsWrites() throws Exception {
        FaultyFileLayer files = new FaultyFileLayer();
        try (TestServer server = TestServer.start(dir, CaskOptions.defaults().withFileLayer(files), null, RespLimits.forValues(1 << 20),
                TestServer.defaultLimits()); RawClient c = new RawClient(server.port()); RawClient reader = new RawClient(server.port())) {
            c.send(command("SET", "before", "v"));
            assertThat(c.reply()).isEqualTo("+OK\r\n");
            files.spaceLeft.set(100); // the disk is full after 100 more bytes
            StringBuilder pipeline = new StringBuilder();
            for (int i = 0; i < 50; i++) pipeline.append(command("SET", "k" + i, "x".repeat(20)));
            c.send(pipeline.toString());
            String first = c.reply();
            assertThat(first).startsWith("-ERR write failed").contains("nothing of it was written");
            assertThat(c.closedByPeer()).isTrue();
            reader.send(command("GET", "k0") + command("GET", "before"));
            assertThat(reader.reply()).isEqualTo("$-1\r\n");
            assertThat(reader.reply()).isEqualTo("$1\r\nv\r\n");
        }
        try (Cask reopened = Cask.open(dir)) {
            assertThat(reopened.get("k0".getBytes())).isNull();
            assertThat(reopened.get("before".getBytes())).isEqualTo("v".getBytes());
        }
    }
}
