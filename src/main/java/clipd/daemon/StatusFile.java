package clipd.daemon;

import clipd.util.Json;
import clipd.util.PrivateFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The daemon's state and counters as a small JSON file in the data directory, replaced atomically, so that a
 * script, a test or a tray icon can read it without talking to the daemon. It names the daemon's pid and start
 * time: a file left by a daemon that was killed still says "idle", and {@link #read} tells that it is stale.
 */
public final class StatusFile {
    private final Path file;

    StatusFile(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** What a status file says, and whether the process that wrote it still runs. */
    public record Seen(long pid, String state, String updated, boolean alive) {
    }

    /** The status file's pid, state and time, if there is a readable one. */
    public static Optional<Seen> read(Path file) {
        try {
            JsonNode s = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
            long pid = s.path("pid").asLong(-1);
            String started = s.path("started").asText("");
            return Optional.of(new Seen(pid, s.path("state").asText("unknown"), s.path("updated").asText(""),
                    alive(pid, started)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The process runs, and is the one that wrote the file (pids are reused: it must have started before). */
    private static boolean alive(long pid, String started) {
        Optional<ProcessHandle> p = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (p.isEmpty() || !p.get().isAlive()) {
            return false;
        }
        Optional<Instant> processStart = p.get().info().startInstant();
        try {
            return processStart.isEmpty() || started.isEmpty()
                    || !processStart.get().isAfter(Instant.parse(started).plusSeconds(1));
        } catch (java.time.format.DateTimeParseException e) {
            return true;
        }
    }

    /** Values are strings (quoted), numbers, lists of strings, or maps of these. */
    void write(Map<String, Object> fields) throws IOException {
        StringJoiner json = new StringJoiner(",\n  ", "{\n  ", "\n}\n");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            json.add(Json.quote(e.getKey()) + ": " + value(e.getValue()));
        }
        PrivateFiles.writeAtomically(file, json.toString()); // it lists the folders: the owner's only
    }

    private static String value(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean b) {
            return b.toString();
        }
        if (v instanceof Number n) {
            return n instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : n.toString();
        }
        if (v instanceof Map<?, ?> map) {
            StringJoiner members = new StringJoiner(", ", "{", "}");
            map.forEach((k, x) -> members.add(Json.quote(String.valueOf(k)) + ": " + value(x)));
            return members.toString();
        }
        if (v instanceof Iterable<?> list) {
            StringJoiner items = new StringJoiner(", ", "[", "]");
            list.forEach(item -> items.add(Json.quote(String.valueOf(item))));
            return items.toString();
        }
        return Json.quote(v.toString());
    }
}
