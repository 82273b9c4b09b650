package dev.cask.cli;

import dev.cask.core.Cask;
import dev.cask.core.CaskStats;
import dev.cask.core.SegmentStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "stats", mixinStandardHelpOptions = true, description = "Keys, live and dead bytes per segment, fragmentation.")
final class StatsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        CaskStats stats;
        try (Cask cask = main.open()) {
            stats = cask.stats();
        }
        if (json) {
            System.out.println(Json.write(toMap(stats)));
            return 0;
        }
        System.out.printf("keys           %d (%d expired)%n", stats.keys(), stats.expiredKeys());
        System.out.printf("live bytes     %d%n", stats.liveBytes());
        System.out.printf("dead bytes     %d%n", stats.deadBytes());
        System.out.printf("fragmentation  %.1f%%%n", stats.fragmentation() * 100);
        System.out.printf("sync policy    %s%n", stats.syncPolicy());
        System.out.printf("segments       %d%n", stats.segments().size());
        System.out.printf("%n%-18s %12s %12s %12s%n", "segment", "size", "live", "dead");
        for (SegmentStats s : stats.segments()) {
            System.out.printf("%-18s %12d %12d %12d%s%n", s.file(), s.size(), s.liveBytes(), s.deadBytes(), s.active() ? "  (active)" : "");
        }
        if (!stats.foreignFiles().isEmpty()) System.out.println("\nnot Cask's (left alone): " + String.join(", ", stats.foreignFiles()));
        return 0;
    }

    private static Map<String, Object> toMap(CaskStats stats) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("keys", stats.keys());
        map.put("expiredKeys", stats.expiredKeys());
        map.put("expiredBytes", stats.expiredBytes());
        map.put("liveBytes", stats.liveBytes());
        map.put("deadBytes", stats.deadBytes());
        map.put("fragmentation", stats.fragmentation());
        map.put("syncPolicy", stats.syncPolicy());
        List<Object> segments = new ArrayList<>();
        for (SegmentStats s : stats.segments()) {
            Map<String, Object> seg = new LinkedHashMap<>();
            seg.put("id", s.id());
            seg.put("file", s.file());
            seg.put("size", s.size());
            seg.put("liveBytes", s.liveBytes());
            seg.put("deadBytes", s.deadBytes());
            seg.put("active", s.active());
            segments.add(seg);
        }
        map.put("segments", segments);
        map.put("foreignFiles", stats.foreignFiles());
        return map;
    }
}
