package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cask.core.Cask;
import dev.cask.core.CaskOptions;
import dev.cask.core.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Transactions between two real clients (WATCH broken by the other one, EXECABORT, DISCARD) and
 * logical databases (SELECT, MOVE, SWAPDB, FLUSHDB, per-database DBSIZE and INFO), through Jedis
 * against a real server; and the migration of keys stored before databases existed.
 */
class TransactionsAndDatabasesTest {
    @TempDir
    Path dir;

    TestServer server;
    Jedis a;
    Jedis b;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir);
        a = new Jedis("127.0.0.1", server.port());
        b = new Jedis("127.0.0.1", server.port());
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        if (server != null) server.close();
    }

    @Test
    void aTransactionRunsWholeAndItsRepliesComeInOrder() {
        a.set("counter", "10");
        Transaction t = a.multi();
        t.incr("counter");
        t.set("other", "x");
        t.get("counter");
        t.incrBy("other", 1); // fails at EXEC (not an integer): the others stand, as in Redis
        List<Object> replies = t.exec();
        assertThat(replies).hasSize(4);
        assertThat(replies.get(0)).isEqualTo(11L);
        assertThat(replies.get(1)).isEqualTo("OK");
        assertThat(replies.get(2)).isEqualTo("11");
        assertThat(replies.get(3)).isInstanceOf(JedisDataException.class);
        assertThat(b.get("counter")).isEqualTo("11");
        assertThat(b.get("other")).isEqualTo("x");
    }

    @Test
    void aWatchedKeyChangedByAnotherClientMakesExecReturnNilAndWriteNothing() {
        a.set("balance", "100");
        a.watch("balance");
        b.set("balance", "50"); // another client changes it between WATCH and EXEC
        Transaction t = a.multi();
        t.set("balance", "200");
        t.set("audit", "written");
        assertThat(t.exec()).isNull();
        assertThat(b.get("balance")).isEqualTo("50");
        assertThat(b.exists("audit")).isFalse();

        a.watch("balance"); // untouched this time: it runs
        Transaction again = a.multi();
        again.set("balance", "200");
        assertThat(again.exec()).containsExactly("OK");
        assertThat(b.get("balance")).isEqualTo("200");
    }

    @Test
    void aWatchedKeyThatExpiresBeforeExecCountsAsChangedAsInRedis7() throws Exception {
        a.psetex("lease", 150, "held");
        a.watch("lease");
        Thread.sleep(400); // the key expires between WATCH and EXEC
        Transaction t = a.multi();
        t.set("after-lease", "x");
        assertThat(t.exec()).isNull();
        assertThat(b.exists("after-lease")).isFalse();

        a.psetex("gone", 50, "v");
        Thread.sleep(200); // expired before WATCH: nothing changes after it
        a.watch("gone");
        Transaction again = a.multi();
        again.set("after-gone", "x");
        assertThat(again.exec()).containsExactly("OK");
    }

    @Test
    void aQueueingErrorAbortsTheWholeTransactionAndDiscardDropsIt() throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            raw.send(RawClient.command("MULTI"));
            assertThat(raw.reply()).isEqualTo("+OK\r\n");
            raw.send(RawClient.command("SET", "k", "v"));
            assertThat(raw.reply()).isEqualTo("+QUEUED\r\n");
            raw.send(RawClient.command("SET", "only-a-key"));
            assertThat(raw.reply()).isEqualTo("-ERR wrong number of arguments for 'set' command\r\n");
            raw.send(RawClient.command("EXEC"));
            assertThat(raw.reply()).isEqualTo("-EXECABORT Transaction discarded because of previous errors.\r\n");
            raw.send(RawClient.command("EXEC"));
            assertThat(raw.reply()).isEqualTo("-ERR EXEC without MULTI\r\n");
        }
        assertThat(b.exists("k")).isFalse();

        Transaction t = a.multi();
        t.set("k", "v");
        assertThat(t.discard()).isEqualTo("OK");
        assertThat(b.exists("k")).isFalse();
        assertThat(a.set("k", "after")).isEqualTo("OK"); // the connection is usable again
    }

    @Test
    void databasesAreSeparateAndMoveSwapAndFlushActOnOne() {
        a.set("k", "zero");
        a.select(3);
        assertThat(a.get("k")).isNull();
        a.set("k", "three");
        a.set("only3", "x");
        assertThat(a.dbSize()).isEqualTo(2);
        assertThat(b.get("k")).isEqualTo("zero"); // b is still in database 0
        assertThat(b.dbSize()).isEqualTo(1);
        assertThat(a.move("only3", 0)).isEqualTo(1);
        assertThat(b.get("only3")).isEqualTo("x");
        assertThat(b.swapDB(0, 3)).isEqualTo("OK");
        assertThat(b.get("k")).isEqualTo("three");
        assertThat(a.get("k")).isEqualTo("zero");
        assertThat(a.get("only3")).isEqualTo("x");
        String info = b.info("keyspace");
        assertThat(info).contains("db0:keys=1,expires=0").contains("db3:keys=2,expires=0");
        assertThat(a.flushDB()).isEqualTo("OK");
        assertThat(a.dbSize()).isZero();
        assertThat(b.get("k")).isEqualTo("three");
        assertThatThrownBy(() -> a.select(16)).hasMessageContaining("DB index is out of range");
    }

    @Test
    void keysThatBeginWithAZeroByteStayDatabaseZerosAcrossTheMigration() throws Exception {
        a.close();
        b.close();
        server.close();
        server = null;
        Path old = dir.resolve("written-before-databases");
        byte[] legacy = {0, 5, 'x'}; // would read as database 5's key "x" in the new encoding, were it not rewritten
        try (Cask cask = Cask.open(old, CaskOptions.defaults())) {
            cask.write(new WriteBatch().put(legacy, "zero".getBytes(StandardCharsets.US_ASCII)).put("plain".getBytes(StandardCharsets.US_ASCII),
                    "p".getBytes(StandardCharsets.US_ASCII)));
        }
        for (int start = 0; start < 2; start++) { // the second start finds the migration done and changes nothing
            server = TestServer.start(old);
            try (Jedis j = new Jedis("127.0.0.1", server.port())) {
                assertThat(j.get(legacy)).isEqualTo("zero".getBytes(StandardCharsets.US_ASCII));
                assertThat(j.get("plain")).isEqualTo("p");
                assertThat(j.dbSize()).isEqualTo(2);
                j.select(5);
                assertThat(j.get("x")).isNull();
                assertThat(j.dbSize()).isZero();
            }
            server.close();
            server = null;
        }
        a = new Jedis("127.0.0.1", 1); // closed by stop(); never connected
        b = new Jedis("127.0.0.1", 1);
    }
}
