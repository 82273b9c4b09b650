package dev.cask.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A test the runner does not pick up is not a test. Surefire runs classes named {@code *Test},
 * {@code *Tests} and {@code *Properties} (see the parent POM), Failsafe runs {@code *IT}; this
 * fails the build when any module has a class with test methods under another name. It exists
 * because four property classes once sat in the tree, never run.
 */
class TestClassNamesTest {
    private static final Pattern TEST_METHOD = Pattern.compile("^\\s*@(Test|Property|Example|ParameterizedTest|RepeatedTest|TestFactory)\\b",
            Pattern.MULTILINE);
    private static final Pattern PICKED_UP = Pattern.compile(".*(Test|Tests|Properties|IT)\\.java");

    @Test
    void everyClassWithTestMethodsHasANameTheRunnersPickUp() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent(); // the build runs each module from its own directory
        assertThat(root.resolve("pom.xml")).exists();
        List<Path> testFiles;
        try (Stream<Path> walk = Files.walk(root, 8)) {
            testFiles = walk.filter(p -> p.toString().contains("/src/test/java/") && p.toString().endsWith(".java")).toList();
        }
        assertThat(testFiles).as("test sources found under " + root).hasSizeGreaterThan(20);
        List<String> missed = testFiles.stream()
                .filter(p -> !PICKED_UP.matcher(p.getFileName().toString()).matches())
                .filter(p -> {
                    try {
                        return TEST_METHOD.matcher(Files.readString(p)).find();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .map(p -> root.relativize(p).toString()).toList();
        assertThat(missed).as("classes with test methods that no runner picks up (rename to *Test, *Properties or *IT)").isEmpty();
    }
}
