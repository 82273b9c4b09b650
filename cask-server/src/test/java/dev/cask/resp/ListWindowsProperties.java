package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The list cache against a model of what the engine holds: random writes, deletes, reads from the
 * log, releases and budget changes on two lists, with a budget small enough that windows are
 * dropped all the time. Whatever a window answers must be what the model holds at that moment,
 * and the windows together never hold more than the budget.
 */
class ListWindowsProperties {
    private static final int POSITIONS = 24;

    /** One step: {@code kind} 0 write, 1 delete, 2 read, 3 release, 4 budget. */
    record Step(int kind, long version, long position, int n, byte[] value) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> "write v" + version + " @" + position + " (" + value.length + " bytes)";
                case 1 -> "delete v" + version + " @" + position;
                case 2 -> "read v" + version + " @" + position + " x" + n;
                case 3 -> "release v" + version;
                default -> "budget " + n;
            };
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Long> version = Arbitraries.longs().between(1, 2);
        Arbitrary<Long> position = Arbitraries.longs().between(-3, POSITIONS);
        Arbitrary<byte[]> value = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Arbitraries.just(new byte[ListWindows.MAX_VALUE + 1]));
        Arbitrary<Step> write = Combinators.combine(version, position, value).as((v, p, b) -> new Step(0, v, p, 0, b));
        Arbitrary<Step> delete = Combinators.combine(version, position).as((v, p) -> new Step(1, v, p, 0, null));
        Arbitrary<Step> read = Combinators.combine(version, position, Arbitraries.integers().between(0, 12)).as((v, p, n) -> new Step(2, v, p, n, null));
        Arbitrary<Step> release = version.map(v -> new Step(3, v, 0, 0, null));
        Arbitrary<Step> budget = Arbitraries.integers().between(0, 2_000).map(n -> new Step(4, 0, 0, n, null));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, write),
                net.jqwik.api.Tuple.of(3, delete),
                net.jqwik.api.Tuple.of(6, read),
                net.jqwik.api.Tuple.of(1, release),
                net.jqwik.api.Tuple.of(1, budget)).list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 600)
    void whatAWindowAnswersIsWhatTheEngineHolds(@ForAll("steps") List<Step> steps) {
        ListWindows windows = new ListWindows(600);
        long budget = 600;
        Map<Long, Map<Long, byte[]>> engine = new HashMap<>();
        for (Step s : steps) {
            Map<Long, byte[]> list = engine.computeIfAbsent(s.version, v -> new HashMap<>());
            switch (s.kind) {
                case 0 -> {
                    list.put(s.position, s.value);
                    windows.written(s.version, s.position, s.value);
                }
                case 1 -> {
                    list.remove(s.position);
                    windows.written(s.version, s.position, null);
                }
                case 2 -> {
                    byte[][] values = new byte[Math.max(1, s.n)][];
                    for (int i = 0; i < s.n; i++) {
                        byte[] v = list.get(s.position + i);
                        values[i] = v == null || v.length > ListWindows.MAX_VALUE ? null : v; // as LRANGE keeps what it read
                    }
                    windows.read(s.version, s.position, values, s.n);
                }
                case 3 -> windows.released(s.version);
                default -> {
                    budget = s.n;
                    windows.budget(budget);
                }
            }
            assertThat(windows.bytes()).as("after %s", s).isBetween(0L, budget);
            for (long v = 1; v <= 2; v++) {
                Map<Long, byte[]> held = engine.getOrDefault(v, Map.of());
                for (long p = -4; p <= POSITIONS + 13; p++) {
                    byte[] got = windows.get(v, p);
                    if (got != null) assertThat(got).as("v%d @%d after %s", v, p, s).isEqualTo(held.get(p));
                }
                for (long from = -4; from <= POSITIONS; from += 3) {
                    Reply r = new Reply();
                    if (!windows.bulksInto(v, from, 5, r)) continue;
                    Reply expected = new Reply();
                    for (long p = from; p < from + 5; p++) expected.bulk(held.get(p));
                    assertThat(text(r)).as("v%d @%d x5 after %s", v, from, s).isEqualTo(text(expected));
                }
            }
        }
    }

    @Example
    void aWindowKeepsTheNewestPushesUpToItsLimitAtEitherEnd() {
        ListWindows windows = new ListWindows(64L << 20);
        int pushes = ListWindows.MAX_ELEMENTS + 100;
        windows.read(7, 0, new byte[][] {bytes("first")}, 1);
        windows.read(8, 0, new byte[][] {bytes("first")}, 1);
        for (int i = 1; i <= pushes; i++) {
            windows.written(7, -i, bytes("e" + i)); // LPUSH after LPUSH
            windows.written(8, i, bytes("e" + i)); // RPUSH after RPUSH
        }
        assertThat(windows.get(7, -pushes)).isEqualTo(bytes("e" + pushes));
        assertThat(windows.get(7, -pushes + ListWindows.MAX_ELEMENTS - 1)).isNotNull();
        assertThat(windows.get(7, -pushes + ListWindows.MAX_ELEMENTS)).as("past the limit, from the far end").isNull();
        assertThat(windows.get(8, pushes)).isEqualTo(bytes("e" + pushes));
        assertThat(windows.get(8, pushes - ListWindows.MAX_ELEMENTS + 1)).isNotNull();
        assertThat(windows.get(8, pushes - ListWindows.MAX_ELEMENTS)).as("past the limit, from the far end").isNull();
        long oneWindow = ListWindows.WINDOW_OVERHEAD + (long) ListWindows.MAX_ELEMENTS * (6 + ListWindows.ELEMENT_OVERHEAD)
                + 2L * ListWindows.MAX_ELEMENTS * ListWindows.RING_SLOT; // the ring doubled once past the limit
        assertThat(windows.bytes()).isPositive().isLessThanOrEqualTo(2 * oneWindow);
    }

    @Example
    void manySmallWindowsCountWhatTheyCostNotOnlyTheirValues() {
        ListWindows windows = new ListWindows(100_000);
        for (long version = 1; version <= 10_000; version++) windows.read(version, 0, new byte[][] {bytes("x")}, 1);
        assertThat(windows.bytes()).isLessThanOrEqualTo(100_000);
        assertThat((long) windows.windows() * ListWindows.WINDOW_OVERHEAD).as("one-element windows within the budget").isLessThanOrEqualTo(100_000);
        assertThat(windows.get(10_000, 0)).as("the newest is kept").isEqualTo(bytes("x"));
        assertThat(windows.get(1, 0)).as("the oldest went first").isNull();
    }

    @Example
    void aReadThatStartsBeforeTheWindowGrowsItDownwards() {
        ListWindows windows = new ListWindows(1 << 20);
        byte[][] values = new byte[400][];
        for (int i = 0; i < values.length; i++) values[i] = bytes("v" + i);
        windows.read(3, 100, java.util.Arrays.copyOfRange(values, 100, 400), 300); // LRANGE 100 399
        windows.read(3, 0, values, 300); // LRANGE 0 299: overlaps it from below
        assertThat(windows.bulksInto(3, 0, 300, new Reply())).as("LRANGE 0 299 again is the window's").isTrue();
        assertThat(windows.get(3, 0)).isEqualTo(bytes("v0"));
        assertThat(windows.get(3, 399)).isEqualTo(bytes("v399"));
    }

    @Example
    void aZeroBudgetHoldsNothing() {
        ListWindows windows = new ListWindows(0);
        windows.read(1, 0, new byte[][] {bytes("a"), bytes("b")}, 2);
        assertThat(windows.get(1, 0)).isNull();
        assertThat(windows.bytes()).isZero();
        assertThat(windows.enabled()).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Reply r) {
        java.nio.ByteBuffer b = r.slice(0);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return Arrays.toString(out);
    }
}
