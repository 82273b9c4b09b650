package dev.cask.core;

import static dev.cask.core.TestFiles.b;
import static dev.cask.core.TestFiles.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file header and its version: files written before it existed (the fixture in
 * {@code format-v0/} was written by commit eb7e307, the last without headers) open as version 0
 * and are rewritten by a merge; a version this code does not read is refused before anything
 * changes.
 */
class FormatVersionTest {
    @TempDir
    Path dir;

    private static final byte[] DATA_HEADER = {0x43, 0x41, 0x53, 0x4b, 0x44, 0x02, 0x00, 0x00};
    private static final byte[] HINT_HEADER = {0x43, 0x41, 0x53, 0x4b, 0x48, 0x01, 0x00, 0x00};

    private void copyFixture() throws IOException {
        for (String name : List.of("0000000001.data", "0000000001.hint", "0000000002.data", "0000000002.hint", "0000000003.data")) {
            try (InputStream in = FormatVersionTest.class.getResourceAsStream("/format-v0/" + name)) {
                assertThat(in).as(name).isNotNull();
                Files.copy(in, dir.resolve(name));
            }
        }
    }

    private Map<String, byte[]> contents() throws IOException {
        Map<String, byte[]> all = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) if (Files.isRegularFile(p) && !p.getFileName().toString().equals("cask.lock")) all.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return all;
    }

    private static byte[] start(Path file) throws IOException {
        return Arrays.copyOf(Files.readAllBytes(file), FileHeader.SIZE);
    }

    @Test
    void newFilesBeginWithTheHeaderOfTheirKind() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(100))) {
            for (int i = 0; i < 10; i++) cask.put(b("key" + i), b("value-" + i));
            cask.awaitBackgroundWork();
            cask.merge();
        }
        List<Path> segments = TestFiles.segments(dir);
        assertThat(segments).hasSizeGreaterThan(1);
        for (Path data : segments) assertThat(start(data)).as(data.toString()).isEqualTo(DATA_HEADER);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> hints = files.filter(p -> p.toString().endsWith(".hint")).toList();
            assertThat(hints).isNotEmpty();
            for (Path hint : hints) assertThat(start(hint)).as(hint.toString()).isEqualTo(HINT_HEADER);
        }
        try (Cask cask = Cask.open(dir)) {
            for (int i = 0; i < 10; i++) assertThat(s(cask.get(b("key" + i)))).isEqualTo("value-" + i);
            assertThat(cask.recoveryReport().hintsUsed()).isPositive();
        }
    }

    @Test
    void aDatabaseWrittenBeforeHeadersOpensAsVersionZeroAndAMergeRewritesIt() throws Exception {
        copyFixture();
        for (Path data : TestFiles.segments(dir)) assertThat(start(data)).isNotEqualTo(DATA_HEADER);
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.recoveryReport().hintsUsed()).as("the version-0 hints are read too").isEqualTo(2);
            assertThat(cask.recoveryReport().droppedBytes()).isZero();
            assertThat(cask.get(b("user:1"))).isNull();
            assertThat(s(cask.get(b("user:2")))).isEqualTo("bob");
            assertThat(s(cask.get(b("k")))).isEqualTo("new");
            assertThat(s(cask.get(b("temp")))).isEqualTo("hi");
            assertThat(s(cask.get(b("last")))).isEqualTo("the newest value");
            cask.put(b("after"), b("appended to the version-0 active segment"));
            cask.merge();
        }
        for (Path data : TestFiles.segments(dir)) assertThat(start(data)).as(data.toString()).isEqualTo(DATA_HEADER);
        try (Cask cask = Cask.open(dir)) {
            assertThat(cask.keys()).hasSize(5);
            assertThat(s(cask.get(b("k")))).isEqualTo("new");
            assertThat(s(cask.get(b("after")))).isEqualTo("appended to the version-0 active segment");
        }
        assertThat(Verifier.check(dir, CaskOptions.defaults(), false).healthy()).isTrue();
    }

    private static final byte[] DATA_HEADER_V1 = {0x43, 0x41, 0x53, 0x4b, 0x44, 0x01, 0x00, 0x00};

    /**
     * The fixture in {@code format-v1/} was written by commit a88ae55, the last to write version-1
     * records (26-byte headers): three segments of at most 200 bytes, each with a hint (the
     * newest one's from its clean close), holding a delete, a batch, an expiring and an expired key.
     */
    @Test
    void aVersionOneDatabaseOpensAsItIsWritesNewRecordsInVersionTwoAndAMergeRewritesIt() throws Exception {
        for (String name : List.of("0000000001.data", "0000000001.hint", "0000000002.data", "0000000002.hint", "0000000003.data", "0000000003.hint")) {
            try (InputStream in = FormatVersionTest.class.getResourceAsStream("/format-v1/" + name)) {
                assertThat(in).as(name).isNotNull();
                Files.copy(in, dir.resolve(name));
            }
        }
        for (Path data : TestFiles.segments(dir)) assertThat(start(data)).isEqualTo(DATA_HEADER_V1);
        byte[] oldActive = Files.readAllBytes(dir.resolve("0000000003.data"));
        for (CaskOptions options : List.of(CaskOptions.defaults(), CaskOptions.defaults().withUseHints(false))) {
            try (Cask cask = Cask.open(dir, options)) {
                assertThat(cask.recoveryReport().droppedBytes()).isZero();
                assertVersionOneContents(cask);
            }
        }
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("after"), b("written in version 2"));
            assertThat(s(cask.get(b("after")))).isEqualTo("written in version 2");
        }
        assertThat(Files.readAllBytes(dir.resolve("0000000003.data"))).as("the version-1 active segment was sealed, not appended to").isEqualTo(oldActive);
        assertThat(start(dir.resolve("0000000004.data"))).isEqualTo(DATA_HEADER);
        assertThat(Verifier.check(dir, CaskOptions.defaults(), false).healthy()).isTrue();
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withUseHints(false))) { // both layouts in one scan
            assertVersionOneContents(cask);
            assertThat(s(cask.get(b("after")))).isEqualTo("written in version 2");
            cask.merge();
            assertThat(cask.stats().deadBytes()).as("every byte the merge wrote is counted live, in the new layout's sizes").isZero();
        }
        for (Path data : TestFiles.segments(dir)) assertThat(start(data)).as(data.toString()).isEqualTo(DATA_HEADER);
        for (CaskOptions options : List.of(CaskOptions.defaults(), CaskOptions.defaults().withUseHints(false))) {
            try (Cask cask = Cask.open(dir, options)) {
                assertVersionOneContents(cask);
                assertThat(s(cask.get(b("after")))).isEqualTo("written in version 2");
                assertThat(cask.stats().deadBytes()).isZero();
            }
        }
        assertThat(Verifier.check(dir, CaskOptions.defaults(), false).healthy()).isTrue();
    }

    private static void assertVersionOneContents(Cask cask) {
        assertThat(cask.get(b("user:1"))).isNull();
        assertThat(s(cask.get(b("user:2")))).isEqualTo("bob");
        assertThat(s(cask.get(b("k")))).isEqualTo("new");
        assertThat(s(cask.get(b("temp")))).isEqualTo("hi");
        assertThat(cask.metadata(b("temp")).expiry()).isEqualTo(4102444800000L);
        assertThat(cask.get(b("gone"))).isNull();
        assertThat(s(cask.get(b("a")))).isEqualTo("1");
        assertThat(s(cask.get(b("b")))).isEqualTo("2");
        assertThat(s(cask.get(b("last")))).isEqualTo("the newest value");
    }

    @Test
    void aVersionZeroDatabaseChecksCleanAndItsEmptyActiveSegmentGetsAHeader() throws Exception {
        copyFixture();
        assertThat(Verifier.check(dir, CaskOptions.defaults(), false).healthy()).isTrue();
        Files.write(dir.resolve("0000000004.data"), new byte[0]); // what the old code left after rotating into a segment and closing
        try (Cask cask = Cask.open(dir)) {
            cask.put(b("x"), b("y"));
        }
        assertThat(start(dir.resolve("0000000004.data"))).isEqualTo(DATA_HEADER);
        try (Cask cask = Cask.open(dir)) {
            assertThat(s(cask.get(b("x")))).isEqualTo("y");
            assertThat(s(cask.get(b("user:2")))).isEqualTo("bob");
        }
    }

    @Test
    void aDataFileOfANewerVersionIsRefusedAndNothingChanges() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(100))) {
            for (int i = 0; i < 10; i++) cask.put(b("key" + i), b("value-" + i));
        }
        Files.write(dir.resolve("0000000002.hint.tmp"), new byte[] {1}); // a leftover open would delete
        Path sealed = TestFiles.segments(dir).get(1);
        byte[] bytes = Files.readAllBytes(sealed);
        bytes[5] = 3;
        Files.write(sealed, bytes);
        Map<String, byte[]> before = contents();
        for (CaskOptions options : List.of(CaskOptions.defaults(), CaskOptions.defaults().withUseHints(false))) {
            assertThatThrownBy(() -> Cask.open(dir, options)).isInstanceOf(UnsupportedFormatException.class)
                    .hasMessageContaining(sealed.toString()).hasMessageContaining("format version 3")
                    .hasMessageContaining("reads format versions 0 to 2 of data segments").hasMessageContaining("newer Cask");
        }
        assertThatThrownBy(() -> Verifier.check(dir, CaskOptions.defaults(), true)).isInstanceOf(UnsupportedFormatException.class);
        assertThat(contents()).containsOnlyKeys(before.keySet());
        Map<String, byte[]> after = contents();
        before.forEach((name, content) -> assertThat(after.get(name)).as(name).isEqualTo(content));
    }

    @Test
    void aHintOfANewerVersionIsRefusedToo() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(100))) {
            for (int i = 0; i < 10; i++) cask.put(b("key" + i), b("value-" + i));
            cask.awaitBackgroundWork();
        }
        Path hint = dir.resolve(SegmentNames.hintName(1));
        byte[] bytes = Files.readAllBytes(hint);
        bytes[5] = 9;
        Files.write(hint, bytes);
        assertThatThrownBy(() -> Cask.open(dir)).isInstanceOf(UnsupportedFormatException.class)
                .hasMessageContaining(hint.toString()).hasMessageContaining("format version 9");
        assertThat(Files.readAllBytes(hint)).isEqualTo(bytes);
    }

    @Test
    void aFileOfTheOtherKindIsRefusedNamingBoth() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(100))) {
            for (int i = 0; i < 10; i++) cask.put(b("key" + i), b("value-" + i));
            cask.awaitBackgroundWork();
        }
        Path data = dir.resolve(SegmentNames.dataName(1));
        Files.copy(dir.resolve(SegmentNames.hintName(1)), data, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> Cask.open(dir)).isInstanceOf(UnsupportedFormatException.class)
                .hasMessageContaining("should be a data segment but its header says a hint file");
    }

    @Test
    void anActiveSegmentWhoseHeaderACrashKeptFromTheDiskOpensEmptyAndGetsItsHeader() throws Exception {
        try (Cask cask = Cask.open(dir, CaskOptions.defaults().withMaxFileSize(100))) {
            for (int i = 0; i < 3; i++) cask.put(b("key" + i), b("value-" + i));
        }
        List<Path> segments = TestFiles.segments(dir);
        Path next = dir.resolve(SegmentNames.dataName(segments.size() + 1));
        Files.write(next, new byte[4096]); // created and grown, and nothing of it written back before a power cut
        try (Cask cask = Cask.open(dir)) {
            for (int i = 0; i < 3; i++) assertThat(s(cask.get(b("key" + i)))).isEqualTo("value-" + i);
            cask.put(b("new"), b("value"));
        }
        assertThat(start(next)).isEqualTo(DATA_HEADER);
        Files.write(next, new byte[] {0x43, 0x41, 0x53, 0x4b, 0, 0, 0, 0}, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING); // a header cut short
        try (Cask cask = Cask.open(dir)) {
            assertThat(s(cask.get(b("key2")))).isEqualTo("value-2");
            assertThat(cask.recoveryReport().messages()).anyMatch(m -> m.contains("torn tail of 8 byte(s)"));
        }
        assertThat(start(next)).isEqualTo(DATA_HEADER);
    }

    @Test
    void theHeaderCodecWritesTheDocumentedBytes() {
        byte[] data = new byte[FileHeader.SIZE];
        FileHeader.encode(FileHeader.Kind.DATA).get(0, data);
        assertThat(data).isEqualTo(DATA_HEADER);
        byte[] hint = new byte[FileHeader.SIZE];
        FileHeader.encode(FileHeader.Kind.HINT).get(0, hint);
        assertThat(hint).isEqualTo(HINT_HEADER);
        assertThat(FileHeader.decode(FileHeader.encode(FileHeader.Kind.DATA), FileHeader.Kind.DATA, Path.of("x")))
                .isEqualTo(new FileHeader.Read(2, FileHeader.SIZE));
        assertThat(FileHeader.decode(java.nio.ByteBuffer.wrap(new byte[8]), FileHeader.Kind.DATA, Path.of("x")))
                .isEqualTo(new FileHeader.Read(0, 0));
    }
}
