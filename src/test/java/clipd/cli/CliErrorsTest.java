package clipd.cli;

import clipd.index.IndexStats;
import clipd.index.IndexStatsFixtures;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The errors a new user met (issue 17), each one line that names the option or key, the value and the fix, and
 * the exit code the README gives.
 */
class CliErrorsTest {
    @TempDir
    Path tmp;

    private Path config;
    private Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        config = tmp.resolve("cfg/clipd/config.properties");
        Files.createDirectories(config.getParent());
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.writeString(config, "port = " + port + "\n"); // no daemon answers there
        env = new HashMap<>(Map.of("XDG_CONFIG_HOME", tmp.resolve("cfg").toString(), "CLIPD_TAGS", "off",
                "CLIPD_DATA_DIR", tmp.resolve("data").toString(), "CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString()));
    }

    private CliRunner.Run run(String... args) {
        return CliRunner.run(env, tmp, args);
    }

    /** Fails unless the command ends with the exit code and exactly one line on stderr holding every fragment. */
    private String fails(int code, List<String> args, String... fragments) {
        CliRunner.Run r = run(args.toArray(String[]::new));
        assertEquals(code, r.code(), args + ": " + r.err());
        assertEquals(1, r.err().lines().count(), args + ": " + r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), args + ": " + r.err());
        }
        return r.err();
    }

    @Test
    void foldersAndFilesNamedOnTheCommandLineSayWhatIsWrongWithThem() throws Exception {
        Path file = Files.writeString(tmp.resolve("photo.jpg"), "not really");
        Path dir = Files.createDirectories(tmp.resolve("album"));
        fails(2, List.of("bench", "index", "/nope"), "'/nope' does not exist", "takes a folder of photos");
        fails(2, List.of("embed", dir.toString()), "'" + dir + "' is a folder", "takes image files");
        fails(2, List.of("index", file.toString()), "'" + file + "' is a file, not a folder", "takes folders");
        fails(2, List.of("tags", dir.toString()), "'" + dir + "' is a folder", "takes one photo");
        fails(2, List.of("search", "./missing.jpg"), "cannot read the query image " + tmp.resolve("missing.jpg")
                + ": no such file or folder");
        String err = fails(2, List.of("search", "./album"), "is a folder");
        assertEquals(1, err.split(tmp.resolve("album").toString(), -1).length - 1, "the path once: " + err);
    }

    @Test
    void filtersNameTheirOptionAndTypesHaveAListAndAliases() throws Exception {
        fails(2, List.of("search", "--after", "last week", "cat"), "--after takes a date like 2023");
        fails(2, List.of("search", "--type", "foo", "cat"), "--type is 'foo'", "jpeg, png", "heic");
        fails(2, List.of("search", "--fodler", "x", "cat"), "unknown option --fodler; did you mean --folder?");
        assertEquals(0, run("index", Fixtures.SHARED_IMAGES.toString()).code());
        CliRunner.Run jpg = run("search", "-f", "--all", "--type", "jpg");
        CliRunner.Run jpeg = run("search", "-f", "--all", "--type", "jpeg");
        assertEquals(0, jpg.code(), jpg.err());
        assertFalse(jpg.out().isEmpty());
        assertEquals(jpeg.out(), jpg.out());
        assertEquals(run("search", "-f", "--all", "--type", "tiff").out(),
                run("search", "-f", "--all", "--type", "tif").out());
        assertFalse(run("search", "-f", "--all", "--type", "tif").out().isEmpty());
        fails(2, List.of("search", "--all", "-t", "5", "cat"), "--all and --top exclude each other");
        fails(2, List.of("search", "-t", "2000000", "cat"), "--top must be a whole number from 1 to 1000000");
        assertEquals(0, run("search", "-t", "20000", "cat").code(), "more than 10,000 may be asked for");
    }

    @Test
    void aQueryEndingInAnOperatorIsRefusedAsTheApiRefusesIt() {
        fails(2, List.of("search", "cat +"), "a query must follow the last '+' or '-'");
        fails(2, List.of("search", "- cat"), "'-' must stand between two queries");
    }

    @Test
    void configErrorsNameTheFileLineKeyAndFixAndExit2() throws Exception {
        Files.writeString(config, "# clipd\nthreads = 2\nfodlers = /photos\n");
        fails(2, List.of("index", tmp.toString()), config + " line 3: unknown key 'fodlers'; did you mean 'folders'?");

        Files.write(config, "threads = 2\nfolders = /photos/caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        fails(2, List.of("status"), config + " line 2: not UTF-8 text (byte 0xE9); save the file as UTF-8");

        for (String yes : List.of("yes", "1", "on", "true", "YES")) {
            Files.writeString(config, "include_hidden = " + yes + "\n");
            assertTrue(settings().includeHidden(), yes);
        }
        for (String no : List.of("no", "0", "off", "false")) {
            Files.writeString(config, "include_hidden = " + no + "\n");
            assertFalse(settings().includeHidden(), no);
        }
        Files.writeString(config, "include_hidden = maybe\n");
        fails(2, List.of("status"), config + " line 1: include_hidden is 'maybe'; say true or false");

        Files.writeString(config, "\nlisten = 999.1.1.1\n");
        fails(2, List.of("serve", "--folder", tmp.toString()), config + " line 2: listen is '999.1.1.1', not an IPv4 "
                + "address");
        fails(2, List.of("serve", "--folder", tmp.toString(), "--listen", "999.1.1.1"), "--listen is '999.1.1.1'");

        Files.writeString(config, "tags_vocabulary = /missing/tags.txt\n");
        fails(2, List.of("index", tmp.toString()), config + " line 1: tags_vocabulary is '/missing/tags.txt', but no "
                + "such file exists");
        assertFalse(Files.exists(tmp.resolve("data")), "checked before anything was indexed");
    }

    private Settings settings() throws UsageException {
        return Settings.from(Args.parse(List.of(), Options.INDEX.spec()), env);
    }

    @Test
    void aDataDirectoryThatCannotBeMadeSaysWhereTheSettingCameFromAndWhy() {
        env.put("CLIPD_DATA_DIR", "/proc/clipd-test");
        fails(2, List.of("index", tmp.toString()), "CLIPD_DATA_DIR is '/proc/clipd-test', where no folder can be made (");
    }

    @Test
    void exitCodesAreTheReadmesPerCommand() throws Exception {
        for (Options.Command c : Options.COMMANDS) {
            String name = c.name().equals("reindex") ? "reindex" : c.name();
            CliRunner.Run r = run(name, "--no-such-option");
            assertEquals(2, r.code(), name + ": " + r.err());
            assertEquals(0, run(name, "--help").code(), name);
        }
        CliRunner.Run status = run("status");
        assertEquals(3, status.code());
        CliRunner.Run json = run("status", "--json");
        assertEquals(3, json.code());
        assertTrue(json.out().startsWith("{\"state\": \"not_running\""), json.out());
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()); // JSON, even now
        assertEquals(3, run("reindex").code(), "no daemon ever ran with this data directory");
        assertEquals(3, run("folders", "add", tmp.toString()).code());
        Files.createDirectories(tmp.resolve("data"));
        Files.writeString(tmp.resolve("data/token"), "0123\n"); // one ran once, and is gone
        assertEquals(3, run("reindex").code());
        assertEquals(2, run("folders", "move", "x").code());
        assertEquals(2, run("frobnicate").code());
    }

    @Test
    void aSecondServeOnABusyPortFailsBeforeItCreatesAnything() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String err = fails(1, List.of("serve", "--folder", tmp.toString(), "--port",
                    String.valueOf(busy.getLocalPort())), "cannot listen on 127.0.0.1:" + busy.getLocalPort(),
                    "choose another with --port");
            assertTrue(err.startsWith("clipd: cannot listen"), "nothing before clipd's own line: " + err);
        }
        assertFalse(Files.exists(tmp.resolve("data")), "no index and no token");
    }

    @Test
    void verboseSaysWhenSkippedFilesWentUnlisted() {
        IndexStats stats = IndexStatsFixtures.withSkips(IndexStats.MAX_LISTED_SKIPS + 5);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IndexCommand.report(stats, true, new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(IndexStats.MAX_LISTED_SKIPS, text.lines().filter(l -> l.startsWith("  skipped \"")).count());
        assertTrue(text.contains("(and 5 more, not listed: clipd names the first 10,000 skipped files)"), text);
    }
}
