package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command table on its own: names in any case, and arities and key positions as Redis 7's COMMAND INFO gives them. */
class CommandSpecTest {
    private static CommandSpec find(String name) {
        return CommandSpec.find(name.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void namesAreFoundInAnyCase() {
        assertThat(find("get")).isEqualTo(CommandSpec.GET);
        assertThat(find("GeT")).isEqualTo(CommandSpec.GET);
        assertThat(find("sEt")).isEqualTo(CommandSpec.SET);
        assertThat(find("mget")).isEqualTo(CommandSpec.MGET);
        assertThat(find("nosuchcommand")).isNull();
        assertThat(find("x".repeat(40))).isNull();
    }

    @Test
    void aritiesAndKeysAreRedisSeven() {
        // name, arity, first key, last key, step: from redis-server 7's COMMAND INFO
        Object[][] redis = {
            {"GET", 2, 1, 1, 1}, {"SET", -3, 1, 1, 1}, {"DEL", -2, 1, -1, 1}, {"MGET", -2, 1, -1, 1}, {"MSET", -3, 1, -1, 2},
            {"INCR", 2, 1, 1, 1}, {"INCRBY", 3, 1, 1, 1}, {"EXISTS", -2, 1, -1, 1}, {"EXPIRE", -3, 1, 1, 1}, {"TTL", 2, 1, 1, 1},
            {"PING", -1, 0, 0, 0}, {"ECHO", 2, 0, 0, 0}, {"DBSIZE", 1, 0, 0, 0}, {"KEYS", 2, 0, 0, 0}, {"SCAN", -2, 0, 0, 0},
        };
        for (Object[] row : redis) {
            CommandSpec spec = find((String) row[0]);
            assertThat(spec).as((String) row[0]).isNotNull();
            assertThat(new int[] {spec.arity, spec.firstKey, spec.lastKey, spec.step}).as((String) row[0])
                    .containsExactly((int) row[1], (int) row[2], (int) row[3], (int) row[4]);
        }
    }

    @Test
    void arityChecksCountTheCommandName() {
        assertThat(CommandSpec.GET.arityFits(2)).isTrue();
        assertThat(CommandSpec.GET.arityFits(3)).isFalse();
        assertThat(CommandSpec.SET.arityFits(3)).isTrue();
        assertThat(CommandSpec.SET.arityFits(5)).isTrue();
        assertThat(CommandSpec.SET.arityFits(2)).isFalse();
    }
}
