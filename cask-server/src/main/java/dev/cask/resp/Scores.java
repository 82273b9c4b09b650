package dev.cask.resp;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One sorted set's order: its members by score, then by their bytes (as Redis orders equal
 * scores), and each member's score. A member's record holds its score as 8 bytes, an IEEE double
 * big-endian. A rank is counted by walking the order (O(rank)), not kept in the tree.
 */
final class Scores {
    /** One member with its score. */
    record Scored(double score, byte[] member) {}

    static final Comparator<Scored> ORDER = (a, b) -> {
        if (a.score() < b.score()) return -1;
        if (a.score() > b.score()) return 1;
        return Arrays.compareUnsigned(a.member(), b.member());
    };

    final TreeSet<Scored> order = new TreeSet<>(ORDER);
    private final Map<ByteBuffer, Double> byMember = new HashMap<>();

    static Scores of(List<byte[]> members, Function<byte[], byte[]> record) {
        Scores s = new Scores();
        for (byte[] m : members) {
            byte[] value = record.apply(m);
            if (value != null) s.put(m, decode(value));
        }
        return s;
    }

    static byte[] encode(double score) {
        return ByteBuffer.allocate(8).putDouble(score).array();
    }

    static double decode(byte[] value) {
        return value.length == 8 ? ByteBuffer.wrap(value).getDouble() : 0;
    }

    int size() {
        return byMember.size();
    }

    Double score(byte[] member) {
        return byMember.get(ByteBuffer.wrap(member));
    }

    void put(byte[] member, double score) {
        Double old = byMember.put(ByteBuffer.wrap(member), score);
        if (old != null) order.remove(new Scored(old, member));
        order.add(new Scored(score, member));
    }

    void remove(byte[] member) {
        Double old = byMember.remove(ByteBuffer.wrap(member));
        if (old != null) order.remove(new Scored(old, member));
    }

    /** The members in order, lowest first. */
    List<Scored> ascending() {
        return List.copyOf(order);
    }
}
