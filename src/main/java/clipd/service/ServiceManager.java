package clipd.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The user's service manager: systemd's user instance on Linux, launchd's per-user agents on macOS. */
public interface ServiceManager {
    /** The unit file or property list that describes the service. */
    Path unitFile();

    /** Its contents for an installation. */
    String unit(Installation installation);

    /** Commands that make the manager load the unit, start it now and at every login (run in order). */
    List<List<String>> start();

    /** Commands that stop the service and forget it; a failure means it was not loaded, which is fine. */
    List<List<String>> stop();

    /** A command whose exit code is 0 when the service runs, and whose output says how it is. */
    List<String> status();

    /** How a person reads the service's log. */
    String logHint();

    /** The folder the service's log goes to, when it is a file: install creates it, uninstall removes it. */
    java.util.Optional<Path> logFolder();

    /** Reloads the manager's view of its unit files after one was removed; none for launchd. */
    List<List<String>> forget();

    static ServiceManager forThisSystem(Path home, Path configHome) {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")
                ? new LaunchAgent(home, LaunchAgent.currentUid()) : new SystemdUserService(configHome);
    }

    /**
     * The JVM options of the service, given to the launcher as CLIPD_JAVA_OPTS (the launcher adds the Vector API
     * module); {@code clipd bench idle} measures the daemon with them. The serial collector suits a mostly idle
     * process; the heap starts small and gives back what a piece of work left free (at the full collections clipd
     * asks for after its start-up work and when it releases the visual encoder), instead of keeping the initial
     * heap of 1/64 of the machine's memory committed all day.
     */
    List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms16m", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30");

    /**
     * The environment of the service: glibc's malloc keeps up to 8 arenas per core, 64 MB each, that ONNX
     * Runtime's threads fill and fragment; two are plenty for a daemon (measured: 91 MB less resident with the
     * text encoder warm, 553 MB against 644 MB at 20,000 photos).
     */
    java.util.Map<String, String> ENVIRONMENT = java.util.Map.of("MALLOC_ARENA_MAX", "2");

    /** A template from systemd/ or launchd/ (packaged into the jar) with its @NAME@ placeholders filled. */
    static String fill(String template, String... namesAndValues) {
        String text;
        try (InputStream in = ServiceManager.class.getResourceAsStream(template)) {
            if (in == null) {
                throw new IllegalStateException("the service template " + template + " is missing from the jar");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the service template " + template, e);
        }
        for (int i = 0; i < namesAndValues.length; i += 2) {
            text = text.replace("@" + namesAndValues[i] + "@", namesAndValues[i + 1]);
        }
        return text;
    }
}
