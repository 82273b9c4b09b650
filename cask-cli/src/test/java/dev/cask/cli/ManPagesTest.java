package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * The man pages in man/ are what picocli makes of the commands as they are now: one AsciiDoc page
 * per command (man/adoc) and its troff rendering (man/man1). Run scripts/man.sh after changing a
 * command: it rewrites both (this test with -Dcask.writeManPages=true, then asciidoctor).
 */
class ManPagesTest {
    private static final Path MAN = Path.of("..", "man");

    /** Every command's page, by file name, as picocli writes it today. */
    private static Map<String, String> pages() {
        Map<String, String> pages = new TreeMap<>();
        List<CommandLine> todo = new ArrayList<>(List.of(Main.commandLine(new Main())));
        while (!todo.isEmpty()) {
            CommandLine cmd = todo.removeLast();
            if (cmd.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) continue;
            StringWriter page = new StringWriter();
            try (PrintWriter out = new PrintWriter(page)) {
                ManPageGenerator.writeSingleManPage(out, cmd.getCommandSpec());
            }
            pages.put(cmd.getCommandSpec().qualifiedName("-") + ".adoc", page.toString());
            todo.addAll(cmd.getSubcommands().values().stream().distinct().toList());
        }
        return pages;
    }

    @Test
    void theManPagesDescribeTheCommandsAsTheyAre() throws Exception {
        Map<String, String> pages = pages();
        assertThat(pages).containsKeys("cask.adoc", "cask-serve.adoc", "cask-cluster-up.adoc", "cask-bench-fsync.adoc");
        assertThat(pages.get("cask-serve.adoc")).contains("--config").contains("--requirepass").contains("--maxclients");
        boolean writing = Boolean.getBoolean("cask.writeManPages"); // scripts/man.sh renders man1 afterwards
        if (writing) {
            Path adoc = Files.createDirectories(MAN.resolve("adoc"));
            try (var old = Files.list(adoc)) {
                for (Path p : old.toList()) Files.delete(p);
            }
            for (Map.Entry<String, String> page : pages.entrySet()) Files.writeString(adoc.resolve(page.getKey()), page.getValue());
        }
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> page : pages.entrySet()) {
            Path file = MAN.resolve("adoc").resolve(page.getKey());
            if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(page.getValue())) stale.add(page.getKey());
            String troff = page.getKey().replace(".adoc", ".1");
            if (!writing && !Files.exists(MAN.resolve("man1").resolve(troff))) stale.add(troff);
        }
        try (var committed = Files.list(MAN.resolve("adoc"))) {
            committed.map(p -> p.getFileName().toString()).filter(n -> !pages.containsKey(n)).forEach(n -> stale.add(n + " (no such command)"));
        }
        assertThat(stale).as("man pages out of date: run scripts/man.sh").isEmpty();
    }
}
