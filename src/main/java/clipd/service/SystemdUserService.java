package clipd.service;

import java.nio.file.Path;
import java.util.List;

/** clipd as a unit of systemd's user instance ({@code systemctl --user}), started at login. */
public final class SystemdUserService implements ServiceManager {
    static final String UNIT = "clipd.service";
    private final Path unitFile;

    /** @param configHome $XDG_CONFIG_HOME, else ~/.config: the user manager reads its units from there */
    public SystemdUserService(Path configHome) {
        this.unitFile = configHome.resolve("systemd/user").resolve(UNIT);
    }

    @Override
    public Path unitFile() {
        return unitFile;
    }

    @Override
    public String unit(Installation i) {
        return ServiceManager.fill(UNIT + ".in", "LAUNCHER", quote(i.launcher()),
                "JVM_OPTIONS", String.join(" ", JVM_OPTIONS), "ENVIRONMENT", ENVIRONMENT.entrySet().stream()
                        .map(e -> "Environment=" + e.getKey() + "=" + e.getValue()).sorted()
                        .collect(java.util.stream.Collectors.joining("\n")));
    }

    /** A path as one word of a systemd command line: quoted, with specifiers (%) and variables ($) kept literal. */
    static String quote(Path path) {
        String s = path.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%")
                .replace("$", "$$");
        return s.matches("[A-Za-z0-9_./+-]+") ? s : "\"" + s + "\"";
    }

    @Override
    public List<List<String>> start() {
        return List.of(systemctl("daemon-reload"), systemctl("enable", UNIT), systemctl("restart", UNIT));
    }

    @Override
    public List<List<String>> stop() {
        return List.of(systemctl("disable", "--now", UNIT));
    }

    @Override
    public List<List<String>> forget() {
        return List.of(systemctl("daemon-reload"), systemctl("reset-failed", UNIT));
    }

    @Override
    public List<String> status() {
        return systemctl("is-active", UNIT);
    }

    @Override
    public String logHint() {
        return "journalctl --user -u clipd -f";
    }

    @Override
    public java.util.Optional<Path> logFolder() {
        return java.util.Optional.empty(); // the journal keeps the log
    }

    private static List<String> systemctl(String... words) {
        return concat(List.of("systemctl", "--user"), List.of(words));
    }

    static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
