package dev.cask.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract, end to end through the real jar. */
class CliIT {
    @TempDir
    Path dir;

    private CaskProcess.Result cask(String... args) throws Exception {
        return CaskProcess.run(prepend(args));
    }

    private String[] prepend(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = dir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    /** A database of several segments, written through the engine (a process per key would take minutes). */
    private void fill(int keys) {
        dev.cask.core.CaskOptions options = dev.cask.core.CaskOptions.defaults().withMaxFileSize(1 << 20).withUseHints(false);
        try (dev.cask.core.Cask cask = dev.cask.core.Cask.open(dir, options)) {
            for (int i = 0; i < keys; i++) cask.put(("key" + i).getBytes(StandardCharsets.UTF_8), new byte[100]);
        }
    }

    @Test
    void backupPrintsJsonInAFixedOrderAndItsCopyOpens() throws Exception {
        fill(20_000);
        Path dest = dir.resolveSibling(dir.getFileName() + "-copy");
        CaskProcess.Result r = cask("backup", dest.toString(), "--json");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).matches("\\{\"destination\":\"" + java.util.regex.Pattern.quote(dest.toAbsolutePath().toString())
                + "\",\"linked_segments\":[1-9][0-9]*,\"active_bytes_copied\":[1-9][0-9]*,\"seconds\":[0-9.]+\\}\n");
        assertThat(r.stderr()).as("no terminal: no progress bar").doesNotContain("\r");
        CaskProcess.Result count = CaskProcess.run("--dir", dest.toString(), "stats", "--json");
        assertThat(count.out()).contains("\"keys\":20000");
    }

    @Test
    void openAndBackupShowProgressOnATerminalOnly() throws Exception {
        fill(60_000); // several segments without hints: open scans them
        Path dest = dir.resolveSibling(dir.getFileName() + "-tty");
        String java = ProcessHandle.current().info().command().orElse("java");
        String command = java + " -jar " + CaskProcess.jar() + " --dir " + dir + " backup " + dest;
        Process p = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true).start(); // a pseudo-terminal
        String screen = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(screen).isZero();
        assertThat(screen).contains("\ropening " + dir + " [").contains("\rbackup [").contains("100%").contains("backed up to");
    }

    @Test
    void everyJarNamesTheVersionThatCaskPrints() throws Exception {
        String printed = CaskProcess.run("--version").out().lines().findFirst().orElseThrow();
        assertThat(printed).matches("cask [0-9][^ ]* \\(Java 25.*\\)");
        String version = printed.split(" ")[1];
        List<Path> jars = new java.util.ArrayList<>(List.of(CaskProcess.jar()));
        for (String module : List.of("cask-core", "cask-server", "cask-fs", "cask-lab")) {
            jars.add(Path.of("..", module, "target", module + "-" + version + ".jar"));
        }
        for (Path jar : jars) {
            try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
                assertThat(file.getManifest().getMainAttributes().getValue("Implementation-Version")).as(jar.toString()).isEqualTo(version);
            }
        }
    }

    @Test
    void setGetDelWithExitCodes() throws Exception {
        assertThat(cask("set", "greeting", "hello").exitCode()).isZero();
        CaskProcess.Result get = cask("get", "greeting");
        assertThat(get.exitCode()).isZero();
        assertThat(get.out()).isEqualTo("hello");
        CaskProcess.Result missing = cask("get", "nosuch");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stdout()).isEmpty();
        assertThat(cask("del", "greeting").exitCode()).isZero();
        assertThat(cask("del", "greeting").exitCode()).isEqualTo(1);
        assertThat(cask("get", "greeting").exitCode()).isEqualTo(1);
    }

    @Test
    void binaryValuesRoundTripThroughStdin() throws Exception {
        byte[] value = new byte[100_000];
        new Random(3).nextBytes(value);
        assertThat(CaskProcess.run(value, prepend("set", "bin", "-")).exitCode()).isZero();
        assertThat(cask("get", "bin").stdout()).isEqualTo(value);
    }

    @Test
    void usageErrorsExit2AndSayWhatWasWrong() throws Exception {
        CaskProcess.Result unknown = cask("frobnicate");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("frobnicate");
        assertThat(cask("set", "only-key").exitCode()).isEqualTo(2);
        CaskProcess.Result badSync = CaskProcess.run("--dir", dir.toString(), "--sync", "sometimes", "get", "k");
        assertThat(badSync.exitCode()).isEqualTo(2);
        assertThat(badSync.stderr()).contains("bad sync policy 'sometimes'");
        CaskProcess.Result badTtl = cask("set", "k", "v", "--ttl", "0");
        assertThat(badTtl.exitCode()).isEqualTo(2);
        assertThat(badTtl.stderr()).contains("--ttl must be a positive number");
        CaskProcess.Result tooSmall = CaskProcess.run("--dir", dir.toString(), "--max-file-size", "10", "set", "k", "v");
        assertThat(tooSmall.exitCode()).isEqualTo(2);
        assertThat(tooSmall.stderr()).contains("maxFileSize must be 64");
        assertThat(cask("get", "k").exitCode()).isEqualTo(1); // none of those wrote anything
    }

    /** Bash and zsh completion from picocli: {@code source <(cask generate-completion)}. */
    @Test
    void generatesShellCompletionForEveryCommand() throws Exception {
        CaskProcess.Result r = CaskProcess.run("generate-completion");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.out()).contains("complete -F").contains("serve").contains("cluster").contains("--proxy-port").contains("--sync");
        Path script = java.nio.file.Files.write(dir.resolveSibling(dir.getFileName() + "-completion.bash"), r.stdout());
        // it loads in bash and registers itself for the cask command; then completing "cask se" offers serve and set
        Process bash = new ProcessBuilder("bash", "-c", "source '" + script + "' && complete -p cask && COMP_WORDS=(cask se) COMP_CWORD=1"
                + " COMP_LINE='cask se' COMP_POINT=7 && $(complete -p cask | sed -E 's/.*-F ([^ ]+).*/\\1/') && printf '%s\\n' \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).as(out).isZero();
        assertThat(out).contains("-F _complete_cask cask").contains("\nset\n").contains("\nserve\n");
    }

    /** {@code cask keys | head}: the reader goes away after a line; cask exits 0 without a word (EPIPE is not an error). */
    @Test
    void keysIntoAPipeClosedEarlyExitsQuietly() throws Exception {
        Path db = dir.resolve("many");
        try (dev.cask.core.Cask cask = dev.cask.core.Cask.open(db)) {
            for (int i = 0; i < 200_000; i++) cask.put(("key-" + i).getBytes(StandardCharsets.UTF_8), new byte[] {1});
        }
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar", CaskProcess.jar().toString(),
                "--dir", db.toString(), "keys").redirectError(dir.resolve("keys.err").toFile()).start();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).startsWith("key-");
        } // closed: the next writes get EPIPE
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(dir.resolve("keys.err"))).isEmpty();
        assertThat(p.exitValue()).isZero();
    }

    /** The collections benchmark on a small input: every type filled through the server, reopened, and measured. */
    @Test
    void benchCollectionsMeasuresEveryType() throws Exception {
        CaskProcess.Result r = CaskProcess.run("bench", "collections", "--elements", "3000", "--collections", "30", "--json", "--dir", dir.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String json = r.out();
        assertThat(json).contains("\"elements\":3000").contains("\"collections\":30");
        for (String type : List.of("hash", "set", "list", "zset")) {
            assertThat(json).contains("\"" + type + "\":{\"fillSeconds\":");
        }
        assertThat(json).doesNotContain("\"liveDiskBytesPerElement\":0.0"); // heap at this size is within the GC's noise: not checked
        CaskProcess.Result bad = CaskProcess.run("bench", "collections", "--elements", "10", "--collections", "11", "--dir", dir.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stderr()).contains("--collections must be 1 .. --elements");
        // members padded to 100 bytes: a set's go to its values (digest-named), so each takes over 100 bytes of disk
        CaskProcess.Result padded = CaskProcess.run("bench", "collections", "--elements", "2000", "--types", "set", "--member-size", "100", "--json",
                "--dir", dir.toString());
        assertThat(padded.exitCode()).as(padded.stderr()).isZero();
        assertThat(padded.out()).contains("\"memberSize\":100");
        java.util.regex.Matcher disk = java.util.regex.Pattern.compile("\"liveDiskBytesPerElement\":([0-9.]+)").matcher(padded.out());
        assertThat(disk.find()).isTrue();
        assertThat(Double.parseDouble(disk.group(1))).isGreaterThan(100);
        CaskProcess.Result badSize = CaskProcess.run("bench", "collections", "--member-size", "-1", "--dir", dir.toString());
        assertThat(badSize.exitCode()).isEqualTo(2);
        assertThat(badSize.stderr()).contains("--member-size must be 0 .. 1048576");
    }

    @Test
    void everyCommandHasHelp() throws Exception {
        for (String command : new String[] {"set", "get", "del", "keys", "stats", "check", "dump"}) {
            CaskProcess.Result help = CaskProcess.run(command, "--help");
            assertThat(help.exitCode()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: cask " + command);
        }
    }

    @Test
    void oversizedKeyIsAClearFailure() throws Exception {
        CaskProcess.Result r = cask("set", "k".repeat(2000), "v");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stderr()).contains("over the limit of 1024 bytes");
    }

    @Test
    void keysWithGlobStatsAndTtl() throws Exception {
        cask("set", "user:1", "a");
        cask("set", "user:2", "b");
        cask("set", "other", "c");
        cask("set", "temp", "d", "--ttl", "1");
        assertThat(cask("keys", "user:*").out().lines().sorted().toList()).containsExactly("user:1", "user:2");
        Thread.sleep(1100);
        assertThat(cask("get", "temp").exitCode()).isEqualTo(1);
        assertThat(cask("keys").out().lines().sorted().toList()).containsExactly("other", "user:1", "user:2");
        CaskProcess.Result stats = cask("stats", "--json");
        assertThat(stats.exitCode()).isZero();
        assertThat(stats.out()).contains("\"keys\":4").contains("\"expiredKeys\":1").contains("\"segments\":[");
    }

    @Test
    void checkFindsDamageAndRepairFixesIt() throws Exception {
        for (int i = 0; i < 30; i++) CaskProcess.run("--dir", dir.toString(), "--max-file-size", "300", "set", "key" + i, "value-" + i);
        assertThat(cask("check").exitCode()).isZero();
        Path closed;
        try (var files = Files.list(dir)) {
            closed = files.filter(p -> p.toString().endsWith(".data")).sorted().findFirst().orElseThrow();
        }
        try (RandomAccessFile raf = new RandomAccessFile(closed.toFile(), "rw")) {
            raf.seek(48);
            int original = raf.read();
            raf.seek(48); // read() moved past it: write the flipped byte back where it came from
            raf.write(original ^ 0xff);
        }
        // the closed segment has a hint, so open trusts it: the damage shows when the damaged record is read
        CaskProcess.Result get = cask("get", "key1"); // after the 8-byte header, key0's record is bytes 8-31 (13 + 4 + 7), key1's 32-55
        assertThat(get.exitCode()).isEqualTo(3);
        assertThat(get.stdout()).isEmpty();
        assertThat(get.stderr()).contains("offset 32").contains(closed.getFileName().toString()).contains("not returned");
        CaskProcess.Result check = cask("check", "--json");
        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).contains("\"ok\":false").contains(closed.getFileName().toString());
        assertThat(cask("check", "--repair").exitCode()).isEqualTo(1); // it found damage (and repaired it)
        assertThat(cask("check").exitCode()).isZero();
        assertThat(cask("get", "key20").out()).isEqualTo("value-20");
        assertThat(cask("get", "key1").exitCode()).isEqualTo(1); // cut out by the repair, a copy in lost+found
        assertThat(dir.resolve("lost+found")).isNotEmptyDirectory();
    }

    @Test
    void dumpShowsEachRecord() throws Exception {
        cask("set", "a\tb", "value");
        cask("del", "a\tb");
        Path segment = dir.resolve("0000000001.data");
        Files.write(segment, "junk".getBytes(StandardCharsets.US_ASCII), java.nio.file.StandardOpenOption.APPEND);
        CaskProcess.Result dump = CaskProcess.run("dump", segment.toString());
        assertThat(dump.out().lines().toList()).hasSize(4);
        assertThat(dump.out()).startsWith("format version 2, header of 8 bytes").contains("offset=8 crc=ok").contains("key=\"a\\x09b\" valueSize=5").contains("tombstone").contains("TORN");
        assertThat(dump.exitCode()).isEqualTo(1);
    }

    @Test
    void dumpShowsTheZerosOfAGrownTailAsOneLineNotAsDamage() throws Exception {
        cask("set", "k", "v");
        Path segment = dir.resolve("0000000001.data");
        long records = Files.size(segment);
        Files.write(segment, new byte[1 << 20], java.nio.file.StandardOpenOption.APPEND); // as a killed writer leaves it
        CaskProcess.Result dump = CaskProcess.run("dump", segment.toString());
        assertThat(dump.out().lines().toList()).containsExactly("format version 2, header of 8 bytes",
                dump.out().lines().skip(1).findFirst().orElseThrow(),
                "offset=" + records + " ZEROS: 1048576 byte(s) of zeros to the end: space the writer grew the active segment by and has not reached");
        assertThat(dump.exitCode()).isZero();
    }

    @Test
    void aFileOfANewerFormatIsRefusedByEveryCommandWithTheReason() throws Exception {
        cask("set", "k", "v");
        Path segment = dir.resolve("0000000001.data");
        byte[] bytes = Files.readAllBytes(segment);
        bytes[5] = 7; // the format version
        Files.write(segment, bytes);
        for (String[] args : List.of(new String[] {"get", "k"}, new String[] {"check"}, new String[] {"dump", segment.toString()})) {
            CaskProcess.Result r = args[0].equals("dump") ? CaskProcess.run(args) : cask(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isNotZero();
            assertThat(r.stderr()).as(String.join(" ", args)).contains("has format version 7").contains("reads format versions 0 to 2 of data segments")
                    .doesNotContain("\tat ");
        }
        assertThat(Files.readAllBytes(segment)).isEqualTo(bytes);
    }

    @Test
    void aSecondProcessIsRefusedWithTheHoldersPid() throws Exception {
        cask("set", "k", "v");
        Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", CaskProcess.jar().toString(),
                "dev.cask.cli.HoldOpen", dir.toString()).start();
        try {
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine()).isEqualTo("open");
            CaskProcess.Result r = cask("get", "k");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.stderr()).contains("locked by another process (pid " + holder.pid() + ")");
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }
}
