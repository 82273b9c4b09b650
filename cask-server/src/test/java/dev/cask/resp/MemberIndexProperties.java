package dev.cask.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The packed member index against a HashSet: adds, removes (the last member moved into the hole), growth, shrinking, compaction. */
class MemberIndexProperties {

    /** {@code expected}: the count a start sizes the index for, right, wrong or absurd (a count is only a hint); -1 for none. */
    @Property(tries = 60)
    void holdsExactlyTheMembersAddedAndNotRemoved(@ForAll long seed, @ForAll @IntRange(min = 1, max = 2000) int memberSpace,
                                                 @ForAll @IntRange(min = -1, max = 3000) int expected) {
        Random random = new Random(seed);
        MemberIndex index = expected < 0 ? new MemberIndex() : new MemberIndex(expected == 3000 ? Long.MAX_VALUE : expected);
        Set<String> model = new HashSet<>();
        for (int op = 0; op < 10_000; op++) {
            byte[] member = member(random, memberSpace);
            if (random.nextInt(5) < 2) {
                assertThat(index.remove(member)).isEqualTo(model.remove(text(member)));
            } else if (!model.contains(text(member)) && random.nextBoolean()) {
                byte[] framed = new byte[member.length + 3]; // as a start hands it over: inside an element key
                System.arraycopy(member, 0, framed, 3, member.length);
                index.addDistinct(framed, 3, member.length);
                model.add(text(member));
            } else {
                index.add(member);
                model.add(text(member));
            }
            if (op % 500 == 0) assertSame(index, model);
            if (random.nextInt(2000) == 0) { // now and then empty it whole, as a SPOP of every member does
                for (String m : new ArrayList<>(model)) assertThat(index.remove(bytes(m))).isTrue();
                model.clear();
            }
        }
        assertSame(index, model);
    }

    @Test
    void aMemberOfEveryLengthClassRoundTrips() {
        MemberIndex index = new MemberIndex();
        List<byte[]> members = new ArrayList<>();
        for (int length : new int[] {0, 1, 127, 128, 16_383, 16_384, 300_000}) {
            byte[] m = new byte[length];
            new Random(length).nextBytes(m);
            members.add(m);
            index.add(m);
        }
        index.add(members.get(3).clone()); // already there: not added twice
        assertThat(index.size()).isEqualTo(members.size());
        for (byte[] m : members) assertThat(index.contains(m)).isTrue();
        assertThat(index.snapshot()).usingElementComparator(java.util.Arrays::compare).containsExactlyInAnyOrderElementsOf(members);
        assertThat(index.remove(new byte[] {1, 2, 3})).isFalse();
    }

    private static byte[] member(Random random, int space) {
        int n = random.nextInt(space);
        String text = "m" + n + (n % 7 == 0 ? "-" + "x".repeat(n % 300) : "");
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static void assertSame(MemberIndex index, Set<String> model) {
        assertThat(index.size()).isEqualTo(model.size());
        Set<String> listed = new HashSet<>();
        for (int i = 0; i < index.size(); i++) assertThat(listed.add(text(index.get(i)))).as("index %d listed once", i).isTrue();
        assertThat(listed).isEqualTo(model);
        for (String m : model) assertThat(index.contains(bytes(m))).isTrue();
    }

    private static String text(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
