package dev.cask.resp;

import dev.cask.core.KeyPattern;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * HSCAN, SSCAN and ZSCAN key cursor [MATCH pattern] [COUNT count], in Redis's order of checks:
 * the cursor, then the key (a missing one answers an empty scan whatever follows), then the
 * options. The cursor is a position in the collection's item list; a page is up to COUNT items
 * from it, those matching MATCH answered.
 */
final class CollectionScan {
    private CollectionScan() {}

    /**
     * @param items the collection's items in a stable order
     * @param name an item's name (given the collection), which MATCH is tried against and which is answered first
     * @param value answers an item's value after its name, or null if the type has none
     */
    static <T> void scan(Call c, CollectionKeys.Type type, Function<CollectionRef, List<T>> items, BiFunction<CollectionRef, T, byte[]> name,
            BiConsumer<CollectionRef, T> value) {
        if (!c.isInteger(2) || c.integer(2) < 0) {
            c.r.error("ERR invalid cursor");
            return;
        }
        long cursor = c.integer(2);
        CollectionRef ref = CollectionRef.readable(c, 1, type);
        if (ref == null) return;
        if (!ref.exists()) {
            c.r.array(2);
            c.r.bulk("0");
            c.r.array(0);
            return;
        }
        KeyPattern match = null;
        long count = 10;
        for (int i = 3; i < c.size(); i++) {
            String opt = c.upper(i);
            if (opt.equals("MATCH") && i + 1 < c.size()) {
                match = KeyPattern.of(c.arg(++i));
            } else if (opt.equals("COUNT") && i + 1 < c.size()) {
                if (!c.isInteger(++i)) {
                    c.r.error(StringCommands.NOT_INTEGER);
                    return;
                }
                count = c.integer(i);
                if (count < 1) {
                    c.r.error(StringCommands.SYNTAX);
                    return;
                }
            } else {
                c.r.error(StringCommands.SYNTAX);
                return;
            }
        }
        List<T> all = items.apply(ref);
        long end = Math.min(all.size(), cursor + count);
        List<T> found = new ArrayList<>();
        for (long i = Math.min(cursor, all.size()); i < end; i++) {
            T item = all.get((int) i);
            if (match == null || match.matches(name.apply(ref, item))) found.add(item);
        }
        c.r.array(2);
        c.r.bulk(Long.toString(end >= all.size() ? 0 : end).getBytes(StandardCharsets.US_ASCII));
        c.r.array(value == null ? found.size() : 2 * found.size());
        for (T item : found) {
            c.r.bulk(name.apply(ref, item));
            if (value != null) value.accept(ref, item);
        }
    }
}
