package clipd.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code config.properties}: the settings a service runs with, so that the unit file needs no arguments.
 * Unknown keys are an error, since a misspelt key that is silently ignored is worse than none.
 */
final class ConfigFile {
    static final Set<String> KEYS = Set.of("folders", "exclude_dirs", "include_hidden", "data_dir", "model_dir",
            "threads", "batch_size", "max_image_megapixels", "settle_seconds", "rescan_minutes", "listen", "port", "tags", "tags_sidecar",
            "tags_min_probability", "tags_max", "tags_vocabulary", "tags_vocabulary_extra", "min_free_megabytes");

    private ConfigFile() {
    }

    /** The file named by --config or CLIPD_CONFIG (which must exist), else the default one if it exists. */
    static Map<String, String> load(String flag, Map<String, String> env) throws UsageException {
        String named = flag != null ? flag : env.get("CLIPD_CONFIG");
        Path file = named != null ? Path.of(named) : defaultFile(env);
        if (!Files.exists(file)) {
            if (named != null) {
                throw new UsageException("the config file " + file + " does not exist");
            }
            return Map.of();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("cannot read the config file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (!KEYS.contains(key)) {
                throw new UsageException(file + ": unknown key '" + key + "' (known: " + new TreeSet<>(KEYS) + ")");
            }
            values.put(key, p.getProperty(key).trim());
        }
        return values;
    }

    /** $XDG_CONFIG_HOME/clipd/config.properties, else ~/.config/clipd/config.properties (macOS too). */
    static Path defaultFile(Map<String, String> env) {
        return configHome(env).resolve("clipd").resolve("config.properties");
    }

    /** $XDG_CONFIG_HOME, else ~/.config. */
    static Path configHome(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg) : clipd.util.Home.of(env).resolve(".config");
    }
}
