package dev.cask.cli;

import dev.cask.core.CheckReport;
import dev.cask.core.Verifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Verify every record of every segment, then every keydir entry. Exit 1 if damage is found.",
                "With --repair, cut out torn tails and bad records (a copy of each goes to DIR/lost+found)."})
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--repair", description = "Cut out what is damaged, keeping a copy.")
    boolean repair;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        CheckReport report;
        try (TerminalProgress progress = TerminalProgress.start(repair ? "check --repair" : "check")) {
            report = Verifier.check(main.directory(), main.options(), repair, progress);
        }
        if (json) {
            System.out.println(Json.write(toMap(report)));
        } else {
            for (CheckReport.Problem p : report.problems()) {
                System.out.printf("DAMAGE %s offset %d, %d byte(s): %s%n", p.file(), p.offset(), p.length(), p.reason());
            }
            for (String r : report.repairs()) System.out.println("REPAIRED " + r);
            System.out.printf("%d segment(s), %d record(s), %d key(s) verified: %s%n", report.segments(), report.records(),
                    report.keysVerified(), report.problems().isEmpty() ? "ok" : report.healthy() ? "repaired" : "DAMAGED (run with --repair)");
        }
        return report.problems().isEmpty() ? 0 : Main.MISSING;
    }

    private static Map<String, Object> toMap(CheckReport report) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("ok", report.problems().isEmpty());
        map.put("segments", report.segments());
        map.put("records", report.records());
        map.put("keysVerified", report.keysVerified());
        List<Object> problems = new ArrayList<>();
        for (CheckReport.Problem p : report.problems()) {
            problems.add(Map.of("file", p.file(), "offset", p.offset(), "length", p.length(), "reason", p.reason()));
        }
        map.put("problems", problems);
        map.put("repairs", report.repairs());
        return map;
    }
}
