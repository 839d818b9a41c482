package clipd.daemon;

import clipd.util.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The daemon's state and counters as a small JSON file in the data directory, replaced atomically, so that a
 * script, a test or a tray icon can read it without talking to the daemon.
 */
final class StatusFile {
    private final Path file;

    StatusFile(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** Values are strings (quoted), numbers, or lists of strings. */
    void write(Map<String, Object> fields) throws IOException {
        StringJoiner json = new StringJoiner(",\n  ", "{\n  ", "\n}\n");
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            json.add(Json.quote(e.getKey()) + ": " + value(e.getValue()));
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, json.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
        if (v instanceof Iterable<?> list) {
            StringJoiner items = new StringJoiner(", ", "[", "]");
            list.forEach(item -> items.add(Json.quote(String.valueOf(item))));
            return items.toString();
        }
        return Json.quote(v.toString());
    }
}
