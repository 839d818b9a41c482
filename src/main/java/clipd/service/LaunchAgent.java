package clipd.service;

import java.nio.file.Path;
import java.util.List;

/** clipd as a per-user launchd agent on macOS, loaded into the login session ({@code gui/UID}). */
public final class LaunchAgent implements ServiceManager {
    static final String LABEL = "dev.clipd";
    private final Path home;
    private final String domain;

    public LaunchAgent(Path home, long uid) {
        this.home = home;
        this.domain = "gui/" + uid;
    }

    static long currentUid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }

    @Override
    public Path unitFile() {
        return home.resolve("Library/LaunchAgents").resolve(LABEL + ".plist");
    }

    Path logFile() {
        return home.resolve("Library/Logs/clipd/clipd.log");
    }

    @Override
    public String unit(Installation i) {
        return ServiceManager.fill(LABEL + ".plist.in", "LAUNCHER", xml(i.launcher()),
                "LOG", xml(logFile()), "JVM_OPTIONS", String.join(" ", JVM_OPTIONS));
    }

    private static String xml(Path path) {
        return path.toString().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public List<List<String>> start() {
        // bootstrap refuses a label that is already loaded: an earlier installation is booted out first (stop()).
        return List.of(List.of("launchctl", "bootstrap", domain, unitFile().toString()));
    }

    @Override
    public List<List<String>> stop() {
        return List.of(List.of("launchctl", "bootout", domain + "/" + LABEL));
    }

    @Override
    public List<List<String>> forget() {
        return List.of();
    }

    @Override
    public List<String> status() {
        return List.of("launchctl", "print", domain + "/" + LABEL);
    }

    @Override
    public String logHint() {
        return "tail -f \"" + logFile() + "\"";
    }

    @Override
    public java.util.Optional<Path> logFolder() {
        return java.util.Optional.of(logFile().getParent());
    }
}
