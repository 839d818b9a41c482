package clipd.cli;

import clipd.service.LaunchAgent;
import clipd.service.ServiceManager;
import clipd.service.SystemdUserService;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code clipd service install|status|uninstall} with HOME in a temporary folder and a fake systemctl or launchctl
 * on the PATH that records its calls; the unit is checked by systemd-analyze and the launcher is run.
 */
class ServiceCommandTest {
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    private Path home() throws IOException {
        return Files.createDirectories(tmp.resolve("home"));
    }

    /** A fake service manager command that logs its arguments and answers with the given exit code. */
    private Path fake(String name, int exit, String answer) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path script = bin.resolve(name);
        Files.writeString(script, "#!/bin/sh\necho \"$*\" >> '" + tmp.resolve("calls") + "'\necho '" + answer
                + "'\nexit " + exit + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private List<String> calls() throws IOException {
        Path log = tmp.resolve("calls");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** A runnable jar whose main class prints how it was started. */
    private Path jar() throws IOException {
        Path jar = tmp.resolve("build/clipd.jar");
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, PrintArgs.class.getName());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             var in = PrintArgs.class.getResourceAsStream("PrintArgs.class")) {
            out.putNextEntry(new JarEntry("clipd/cli/PrintArgs.class"));
            in.transferTo(out);
        }
        return jar;
    }

    private Map<String, String> env(Path bin) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home().toString());
        env.put("PATH", bin + ":/usr/bin:/bin");
        return env;
    }

    private void writeConfig(String text) throws IOException {
        Path config = home().resolve(".config/clipd/config.properties");
        Files.createDirectories(config.getParent());
        Files.writeString(config, text);
    }

    private Run service(Map<String, String> env, ServiceManager manager, String... words) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, tmp, false);
        Path jar = jar();
        int code = Main.guarded(cli, () -> ServiceCommand.run(List.of(words), cli, () -> jar, Path.of("").toAbsolutePath(),
                manager));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every file and folder under HOME, with the contents of files. */
    private Map<String, String> tree() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(home())) {
            for (Path p : (Iterable<Path>) all::iterator) {
                files.put(home().relativize(p).toString(), Files.isDirectory(p) ? "/" : Files.readString(p,
                        StandardCharsets.ISO_8859_1));
            }
        }
        return files;
    }

    private String photosAndModel() throws IOException {
        Path photos = Files.createDirectories(home().resolve("Pictures"));
        return "folders = " + photos + "\nmodel_dir = " + Fixtures.TINY_MODEL + "\n";
    }

    @Test
    void installsAVerifiedUserUnitThatRunsTheInstalledJarAndUninstallsWithoutATrace() throws Exception {
        Path bin = fake("systemctl", 0, "active");
        writeConfig(photosAndModel());
        ServiceManager systemd = new SystemdUserService(home().resolve(".config"));
        Map<String, String> before = tree();

        Run install = service(env(bin), systemd, "install");
        assertEquals(0, install.code(), install.err());
        assertTrue(install.out().contains("journalctl --user -u clipd -f"), install.out());
        Path unit = home().resolve(".config/systemd/user/clipd.service");
        Path jar = home().resolve(".local/lib/clipd/clipd.jar");
        String text = Files.readString(unit);
        Path launcher = home().resolve(".local/bin/clipd");
        assertTrue(text.lines().anyMatch(("ExecStart=" + launcher + " serve")::equals), text);
        assertTrue(Files.readString(launcher).contains("\njava='" + JAVA + "'\n"), "runs this Java");
        assertTrue(Files.isRegularFile(jar));
        for (String directive : List.of("Environment=\"CLIPD_JAVA_OPTS=-XX:+UseSerialGC -Xms16m "
                        + "-XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30\"", "Environment=MALLOC_ARENA_MAX=2",
                "Restart=on-failure",
                "RestartPreventExitStatus=2", "Nice=10",
                "IOSchedulingClass=idle", "NoNewPrivileges=yes", "WantedBy=default.target")) {
            assertTrue(text.lines().anyMatch(directive::equals), directive);
        }
        assertFalse(text.lines().anyMatch(l -> l.startsWith("ProtectSystem=") || l.startsWith("PrivateTmp=")),
                "needs a user namespace in a user unit");
        assertEquals(List.of("--user disable --now clipd.service", "--user daemon-reload",
                "--user enable clipd.service", "--user restart clipd.service"), calls());
        assertTrue(Files.isExecutable(home().resolve(".local/lib/clipd/models/fetch")));
        assertTrue(Files.exists(home().resolve(".local/lib/clipd/models/ViT-B-32-256-datacomp_s34b_b86k/"
                + "model.properties")));

        Path analyze = Path.of("/usr/bin/systemd-analyze");
        if (Files.isExecutable(analyze)) {
            Process p = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.lines().noneMatch(l -> l.contains("clipd.service")), "warnings about the unit:\n" + out);
        }

        assertLaunchesWithTheVectorApiOnlyWhereNeeded(launcher, home().resolve(".local/lib/clipd"));

        Run status = service(env(bin), systemd, "status");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().contains("active"), status.out());

        Run uninstall = service(env(bin), systemd, "uninstall");
        assertEquals(0, uninstall.code(), uninstall.err());
        assertEquals(before, tree(), "install then uninstall leaves HOME as it was");
        assertTrue(calls().contains("--user disable --now clipd.service"));
        assertEquals(3, service(env(bin), systemd, "status").code(), "not installed");
    }

    /**
     * Runs a launcher (with this JVM's java first on the PATH, for the checkout's): returns the one line the stand-in
     * jar prints, once stderr is seen to hold nothing before clipd's own first line, not Java's incubator warning.
     */
    private static String launch(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("CLIPD_JAVA_OPTS");
        pb.environment().putAll(env);
        pb.environment().put("PATH", JAVA.getParent() + ":" + pb.environment().get("PATH"));
        Process p = pb.start();
        java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(PrintArgs.FIRST_ERROR_LINE + "\n", new String(err.get(60, TimeUnit.SECONDS),
                StandardCharsets.UTF_8), String.join(" ", args) + ": stderr");
        return out.strip();
    }

    @Test
    void theCheckoutsLauncherStartsWithClipdsOwnLineOnStderr() throws Exception {
        Path checkout = Files.createDirectories(tmp.resolve("checkout"));
        Path launcher = Files.copy(Path.of("clipd"), checkout.resolve("clipd"));
        Files.createDirectories(checkout.resolve("target"));
        Files.copy(jar(), checkout.resolve("target/clipd.jar"));
        assertLaunchesWithTheVectorApiOnlyWhereNeeded(launcher, checkout);
    }

    /**
     * The one launcher, from the checkout or installed: serve (as the unit runs it, with its JVM options) and bench
     * search get the Vector API, serve --help and the other commands do not, and clipd.home names {@code home}.
     */
    private static void assertLaunchesWithTheVectorApiOnlyWhereNeeded(Path launcher, Path home) throws Exception {
        assertEquals("home=" + home + " vector=true args=serve java_opts=-XX:+UseSerialGC",
                launch(launcher, Map.of("CLIPD_JAVA_OPTS", "-XX:+UseSerialGC"), "serve"), "as the unit runs it");
        assertEquals("home=" + home + " vector=true args=serve --folder x java_opts=",
                launch(launcher, Map.of(), "serve", "--folder", "x"));
        assertEquals("home=" + home + " vector=true args=bench search java_opts=",
                launch(launcher, Map.of(), "bench", "search"));
        assertEquals("home=" + home + " vector=false args=serve --help java_opts=",
                launch(launcher, Map.of(), "serve", "--help"));
        assertEquals("home=" + home + " vector=false args=status --json java_opts=",
                launch(launcher, Map.of(), "status", "--json"));
        assertEquals("home=" + home + " vector=false args=search cat java_opts=",
                launch(launcher, Map.of(), "search", "cat"));
    }

    @Test
    void installsALaunchAgentThatNamesThisJavaAndNeverRestartsAfterAnExit() throws Exception {
        Path bin = fake("launchctl", 0, "");
        writeConfig(photosAndModel());
        ServiceManager launchd = new LaunchAgent(home(), 501);
        Map<String, String> before = tree();

        Run install = service(env(bin), launchd, "install");
        assertEquals(0, install.code(), install.err());
        Path plist = home().resolve("Library/LaunchAgents/dev.clipd.plist");
        Map<String, Element> dict = plist(plist);
        assertEquals("dev.clipd", dict.get("Label").getTextContent());
        List<String> program = children(dict.get("ProgramArguments")).stream().map(Node::getTextContent).toList();
        Path launcher = home().resolve(".local/bin/clipd");
        assertEquals(List.of(launcher.toString(), "serve"), program);
        assertTrue(Files.isExecutable(launcher));
        assertTrue(Files.readString(launcher).contains("\njava='" + JAVA + "'\n"), "runs an existing java, this one");
        assertTrue(Files.isExecutable(JAVA));
        assertEquals("-XX:+UseSerialGC -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30",
                dict(dict.get("EnvironmentVariables")).get("CLIPD_JAVA_OPTS")
                .getTextContent());
        Map<String, Element> keepAlive = dict(dict.get("KeepAlive"));
        assertEquals(List.of("Crashed"), List.copyOf(keepAlive.keySet()), "no restart after exit 2 (or any exit)");
        assertEquals("true", keepAlive.get("Crashed").getTagName());
        Path log = home().resolve("Library/Logs/clipd/clipd.log");
        assertEquals(log.toString(), dict.get("StandardErrorPath").getTextContent());
        assertTrue(Files.isDirectory(log.getParent()), "launchd does not make the log's folder");
        assertEquals("true", dict.get("RunAtLoad").getTagName());
        assertEquals("Background", dict.get("ProcessType").getTextContent());
        assertEquals(List.of("bootout gui/501/dev.clipd", "bootstrap gui/501 " + plist), calls());
        assertTrue(install.out().contains("tail -f \"" + log + "\""), install.out());

        Files.writeString(log, "a log line\n");
        assertEquals(0, service(env(bin), launchd, "uninstall").code());
        assertEquals(before, tree(), "install then uninstall leaves HOME as it was");
    }

    @Test
    void writesTheFoldersIntoTheConfigWhenItNamesNone() throws Exception {
        Path bin = fake("systemctl", 0, "");
        writeConfig("model_dir = " + Fixtures.TINY_MODEL + "\n");
        Path photos = Files.createDirectories(home().resolve("Pictures"));
        Run r = service(env(bin), new SystemdUserService(home().resolve(".config")), "install", photos.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(home().resolve(".config/clipd/config.properties"))
                .contains("folders = " + photos + "\n"));
    }

    @Test
    void refusesBeforeInstallingAnythingWhenTheServiceCouldNotRun() throws Exception {
        Path bin = fake("systemctl", 0, "");
        ServiceManager systemd = new SystemdUserService(home().resolve(".config"));
        Map<String, String> before = tree();

        Run noFolders = service(env(bin), systemd, "install");
        assertEquals(2, noFolders.code());
        assertTrue(noFolders.err().contains("clipd service install ~/Pictures"), noFolders.err());

        writeConfig("folders = " + Files.createDirectories(home().resolve("Pictures")) + "\nmodel_dir = "
                + tmp.resolve("no-model") + "\n");
        before = tree();
        Run noModel = service(env(bin), systemd, "install");
        assertEquals(2, noModel.code());
        assertTrue(noModel.err().contains("fetch"), noModel.err());

        Map<String, String> withVariable = env(bin);
        withVariable.put("CLIPD_MODEL_DIR", Fixtures.TINY_MODEL.toString());
        Run variable = service(withVariable, systemd, "install");
        assertEquals(2, variable.code());
        assertTrue(variable.err().contains("CLIPD_MODEL_DIR is set, but the service does not see"), variable.err());

        assertEquals(before, tree());
        assertEquals(List.of(), calls());
    }

    @Test
    void aServiceManagerThatCannotBeReachedIsOneLineNamingTheCommand() throws Exception {
        Path bin = fake("systemctl", 1, "Failed to connect to bus: No medium found");
        writeConfig(photosAndModel());
        Run r = service(env(bin), new SystemdUserService(home().resolve(".config")), "install");
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("systemctl --user daemon-reload exited with 1: Failed to connect to bus"), r.err());
    }

    private static Map<String, Element> plist(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder().parse(file.toFile());
        Element plist = doc.getDocumentElement();
        assertEquals("plist", plist.getTagName());
        List<Element> top = children(plist);
        assertEquals(1, top.size());
        return dict(top.get(0));
    }

    /** A plist dict: every key element followed by exactly one value element. */
    private static Map<String, Element> dict(Element dict) {
        assertEquals("dict", dict.getTagName());
        List<Element> items = children(dict);
        assertEquals(0, items.size() % 2, "a key without a value");
        Map<String, Element> map = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            assertEquals("key", items.get(i).getTagName());
            map.put(items.get(i).getTextContent(), items.get(i + 1));
        }
        return map;
    }

    private static List<Element> children(Element e) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child) {
                out.add(child);
            }
        }
        return out;
    }
}
