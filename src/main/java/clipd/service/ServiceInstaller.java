package clipd.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Installs clipd for the user (jar, launcher, unit) and hands it to the service manager; uninstalls exactly that.
 * The user's settings and index are not part of an installation: they stay.
 */
public final class ServiceInstaller {
    private final ServiceManager manager;
    private final Installation installation;
    private final CommandRunner runner;

    public ServiceInstaller(ServiceManager manager, Installation installation, CommandRunner runner) {
        this.manager = manager;
        this.installation = installation;
        this.runner = runner;
    }

    public ServiceManager manager() {
        return manager;
    }

    public Installation installation() {
        return installation;
    }

    /**
     * Copies the jar (and, from a checkout, models/fetch with the model descriptors it copies), writes the
     * launcher and the unit, then (re)starts the service.
     *
     * @param checkout the clipd checkout the jar comes from, or null when it is not known
     */
    public void install(Path sourceJar, Path checkout) throws IOException {
        if (!Files.isRegularFile(sourceJar)) {
            throw new IOException("the clipd jar " + sourceJar + " does not exist; build it with: mvn -q package "
                    + "-DskipTests");
        }
        if (!Files.isExecutable(installation.java())) {
            throw new IOException("the Java running this, " + installation.java() + ", is not an executable file");
        }
        Files.createDirectories(installation.lib());
        if (!sourceJar.toAbsolutePath().normalize().equals(installation.jar().toAbsolutePath().normalize())) {
            replace(installation.jar(), Files.readAllBytes(sourceJar), "rw-r--r--");
        }
        if (checkout != null && Files.isRegularFile(checkout.resolve("models/fetch"))) {
            copyFetcher(checkout.resolve("models"));
        }
        replace(installation.launcher(), launcher().getBytes(StandardCharsets.UTF_8), "rwxr-xr-x");
        replace(manager.unitFile(), manager.unit(installation).getBytes(StandardCharsets.UTF_8),
                "rw-r--r--");
        if (manager.logFolder().isPresent()) {
            Files.createDirectories(manager.logFolder().get()); // launchd does not create it
        }
        runAll(manager.stop(), false);
        runAll(manager.start(), true);
    }

    /** Stops the service and removes everything {@link #install} made, and the folders that were left empty. */
    public List<Path> uninstall() throws IOException {
        List<Path> removed = new ArrayList<>();
        if (Files.exists(manager.unitFile())) {
            runAll(manager.stop(), false);
        }
        for (Path p : List.of(manager.unitFile(), installation.launcher())) {
            if (Files.deleteIfExists(p)) {
                removed.add(p);
            }
        }
        if (Files.isDirectory(installation.lib())) {
            deleteTree(installation.lib());
            removed.add(installation.lib());
        }
        if (manager.logFolder().isPresent() && Files.isDirectory(manager.logFolder().get())) {
            deleteTree(manager.logFolder().get());
            removeEmptyParents(manager.logFolder().get().getParent());
        }
        for (Path p : List.of(manager.unitFile(), installation.launcher(), installation.lib())) {
            removeEmptyParents(p.getParent());
        }
        runAll(manager.forget(), false);
        return removed;
    }

    /** The manager's own account of the service; exit code 0 when it runs. */
    public CommandRunner.Result status() throws IOException {
        return runner.run(manager.status());
    }

    public boolean installed() {
        return Files.exists(manager.unitFile());
    }

    private void runAll(List<List<String>> commands, boolean mustSucceed) throws IOException {
        for (List<String> command : commands) {
            CommandRunner.Result r = runner.run(command);
            if (mustSucceed && r.exit() != 0) {
                throw new IOException(r.describe() + " (the files are installed; is a login session with its "
                        + "service manager running? Over ssh: loginctl enable-linger $USER)");
            }
        }
    }

    /**
     * The checkout's launcher ({@code ./clipd}, which the build puts into the jar), with the installed jar and the
     * installer's Java as where clipd is; the service runs it too.
     */
    String launcher() throws IOException {
        String checkouts;
        try (InputStream in = ServiceInstaller.class.getResourceAsStream("clipd")) {
            if (in == null) {
                throw new IOException("this clipd jar holds no launcher; build it again with: mvn -q package "
                        + "-DskipTests");
            }
            checkouts = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int from = checkouts.indexOf(WHERE);
        int to = checkouts.indexOf(END_OF_WHERE);
        if (from < 0 || to < from) {
            throw new IOException("the launcher in this clipd jar does not say where clipd is");
        }
        String lib = shellQuote(installation.lib().toString());
        return "#!/usr/bin/env bash\n# clipd, installed by `clipd service install`; `clipd service uninstall` removes it.\n"
                + "set -euo pipefail\n"
                + "home=" + lib + "\n"
                + "jar=" + shellQuote(installation.jar().toString()) + "\n"
                + "java=" + shellQuote(installation.java().toString()) + "\n"
                + checkouts.substring(to + END_OF_WHERE.length());
    }

    private static final String WHERE = "# where clipd is:";
    private static final String END_OF_WHERE = "# (end of where clipd is)\n";

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private void copyFetcher(Path models) throws IOException {
        Path target = installation.fetchScript().getParent();
        replace(target.resolve("fetch"), Files.readAllBytes(models.resolve("fetch")), "rwxr-xr-x");
        try (Stream<Path> dirs = Files.list(models)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                Path descriptor = d.resolve("model.properties");
                if (Files.isRegularFile(descriptor)) {
                    replace(target.resolve(d.getFileName()).resolve("model.properties"),
                            Files.readAllBytes(descriptor), "rw-r--r--");
                }
            }
        }
    }

    /** Writes a whole new file beside the target and renames it over, so a running service never sees half a jar. */
    private static void replace(Path target, byte[] bytes, String mode) throws IOException {
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.write(temp, bytes);
        try {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(mode));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: its defaults apply
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Removes folders that are empty now, up to the home directory (never it, nor anything outside it). */
    private void removeEmptyParents(Path dir) {
        Path home = installation.home();
        for (Path d = dir; d != null && d.startsWith(home) && !d.equals(home); d = d.getParent()) {
            try {
                Files.delete(d);
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (IOException e) {
                return; // gone already, or not ours to remove
            }
        }
    }
}
