package clipd.cli;

import clipd.embed.ModelDescriptor;
import clipd.service.CommandRunner;
import clipd.service.Installation;
import clipd.service.ServiceInstaller;
import clipd.service.ServiceManager;
import clipd.util.Home;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code clipd service install [DIR...] | uninstall | status}: clipd serve as the user's service (systemd user
 * unit, or launchd agent on macOS), running the installed jar with the Java that ran the installer.
 */
final class ServiceCommand {
    /** The service runs with its own environment, so these would be silently lost. */
    private static final List<String> UNSEEN_VARIABLES = List.of("CLIPD_CONFIG", "CLIPD_DATA_DIR", "CLIPD_MODEL_DIR",
            "CLIPD_TAGS");

    private ServiceCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        return run(words, cli, runningJar(), checkout(), ServiceManager.forThisSystem(Home.of(cli.env),
                ConfigFile.configHome(cli.env)));
    }

    static int run(List<String> words, Cli cli, Path jar, Path checkout, ServiceManager manager) throws Exception {
        Args args = Args.parse(words, Options.SERVICE.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.SERVICE.help());
            return Main.OK;
        }
        List<String> rest = args.positional();
        String action = rest.isEmpty() ? "" : rest.get(0);
        Installation installation = Installation.forUser(Home.of(cli.env), Path.of(System.getProperty("java.home")));
        ServiceInstaller installer = new ServiceInstaller(manager, installation, new CommandRunner(cli.env));
        switch (action) {
            case "install" -> {
                install(rest.subList(1, rest.size()), cli, installer, jar, checkout);
                return Main.OK;
            }
            case "uninstall" -> {
                if (rest.size() != 1) {
                    throw new UsageException("clipd service uninstall takes no arguments");
                }
                installer.uninstall().forEach(p -> cli.out.println("removed " + p));
                cli.out.println("clipd's service is uninstalled; your settings (" + ConfigFile.defaultFile(cli.env)
                        + ") and index (" + Settings.defaultDataDir(cli.env) + ") stay");
                return Main.OK;
            }
            case "status" -> {
                if (!installer.installed()) {
                    cli.out.println("clipd's service is not installed (" + manager.unitFile()
                            + " does not exist); install it with: clipd service install");
                    return StatusCommand.NOT_RUNNING;
                }
                CommandRunner.Result r = installer.status();
                cli.out.println("installed: " + manager.unitFile() + " runs " + installation.jar());
                cli.out.print(r.output().isEmpty() || r.output().endsWith("\n") ? r.output() : r.output() + "\n");
                cli.out.println("its log: " + manager.logHint());
                return r.exit() == 0 ? Main.OK : Main.FAILED;
            }
            default -> throw new UsageException("say clipd service install [DIR...], clipd service uninstall or "
                    + "clipd service status");
        }
    }

    private static void install(List<String> dirs, Cli cli, ServiceInstaller installer, Path jar, Path checkout)
            throws Exception {
        for (String variable : UNSEEN_VARIABLES) {
            if (cli.env.get(variable) != null && !cli.env.get(variable).isBlank()) {
                throw new UsageException(variable + " is set, but the service does not see this shell's "
                        + "environment: unset it, or put its setting in " + ConfigFile.defaultFile(cli.env));
            }
        }
        List<Path> folders = dirs.stream().map(cli::resolve).toList();
        for (Path f : folders) {
            if (!Files.isDirectory(f)) {
                throw new UsageException("'" + f + "' is not a folder; name the photo folders the service watches");
            }
        }
        Settings settings = Settings.from(Args.parse(List.of(), Options.SERVICE.spec()), cli.env);
        if (settings.folders().isEmpty() && folders.isEmpty()) {
            throw new UsageException("name the folders the service watches: clipd service install ~/Pictures");
        }
        if (!folders.isEmpty() && !settings.folders().isEmpty() && !settings.folders().equals(folders)) {
            throw new UsageException(ConfigFile.defaultFile(cli.env) + " already says folders = "
                    + join(settings.folders()) + "; edit it there, or run clipd service install without folders");
        }
        ModelDescriptor.load(settings.modelDir()); // the service would only exit 2 without it
        if (settings.folders().isEmpty()) {
            Path config = ConfigFile.defaultFile(cli.env);
            Files.createDirectories(config.getParent());
            Files.writeString(config, "folders = " + join(folders).replace("\\", "\\\\") + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            cli.out.println("wrote folders = " + join(folders) + " to " + config);
        }
        installer.install(jar, checkout);
        Installation i = installer.installation();
        cli.out.println("installed " + i.jar() + " and " + i.launcher() + " (Java " + i.java() + ")");
        cli.out.println("started and enabled at login: " + installer.manager().unitFile());
        cli.out.println("its log: " + installer.manager().logHint() + "; its state: clipd status");
        String path = cli.env.getOrDefault("PATH", "");
        if (!List.of(path.split(File.pathSeparator)).contains(i.launcher().getParent().toString())) {
            cli.out.println("note: " + i.launcher().getParent() + " is not on your PATH; add it to run clipd "
                    + "from anywhere");
        }
    }

    private static String join(List<Path> folders) {
        return folders.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    /** The jar this clipd runs from. */
    private static Path runningJar() throws IOException {
        try {
            Path p = Path.of(ServiceCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p)) {
                throw new IOException("clipd runs from " + p + ", not from its jar; build it (mvn -q package "
                        + "-DskipTests) and run ./clipd service install");
            }
            return p;
        } catch (URISyntaxException e) {
            throw new IOException("cannot tell where clipd's jar is: " + e.getMessage(), e);
        }
    }

    /** The checkout ./clipd runs from (it passes -Dclipd.home), or null. */
    private static Path checkout() {
        String home = System.getProperty("clipd.home");
        return home == null ? null : Path.of(home);
    }
}
