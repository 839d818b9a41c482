package clipd.cli;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code config.properties}: the settings a service runs with, so that the unit file needs no arguments.
 * Unknown keys are an error, since a misspelt key that is silently ignored is worse than none; every error names
 * the file and the line.
 */
record ConfigFile(Path file, Map<String, String> values, Map<String, Integer> lines) {
    static final Set<String> KEYS = Set.of("folders", "exclude_dirs", "include_hidden", "data_dir", "model_dir",
            "threads", "batch_size", "max_image_megapixels", "settle_seconds", "rescan_minutes", "listen", "port", "tags", "tags_sidecar",
            "tags_min_probability", "tags_max", "tags_vocabulary", "tags_vocabulary_extra", "min_free_megabytes",
            "execution_provider", "visual_idle_seconds");
    static final ConfigFile NONE = new ConfigFile(null, Map.of(), Map.of());
    private static final Pattern KEY = Pattern.compile("^\\s*((?:[^\\s=:\\\\]|\\\\.)+)");

    /** The file named by --config or CLIPD_CONFIG (which must exist), else the default one if it exists. */
    static ConfigFile load(String flag, Map<String, String> env) throws UsageException {
        String named = flag != null ? flag : env.get("CLIPD_CONFIG");
        Path file = named != null ? Path.of(clipd.util.Home.expand(named, env)) : defaultFile(env);
        if (!Files.exists(file)) {
            if (named != null) {
                throw new UsageException("the config file " + file + " (" + (flag != null ? "--config" : "CLIPD_CONFIG")
                        + ") does not exist");
            }
            return NONE;
        }
        String text = read(file);
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException("cannot read the config file " + file + ": " + e.getMessage());
        }
        Map<String, Integer> lines = lines(text);
        Map<String, String> values = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (!KEYS.contains(key)) {
                String guess = Suggestions.closest(key, KEYS);
                throw new UsageException(file + " line " + lines.getOrDefault(key, 0) + ": unknown key '" + key + "'"
                        + (guess == null ? "" : "; did you mean '" + guess + "'?") + " (known: " + new TreeSet<>(KEYS)
                        + ")");
            }
            values.put(key, p.getProperty(key).trim());
        }
        return new ConfigFile(file, values, lines);
    }

    private static String read(Path file) throws UsageException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UsageException("cannot read the config file " + file + ": " + Main.describe(e));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int bad = firstMalformed(bytes);
            int line = 1;
            for (int i = 0; i < bad; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new UsageException(file + " line " + line + ": not UTF-8 text (byte 0x"
                    + String.format("%02X", bytes[bad] & 0xff) + "); save the file as UTF-8");
        }
    }

    /** The offset of the first byte that is not part of valid UTF-8. */
    private static int firstMalformed(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(bytes.length + 1);
        var result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : 0;
    }

    /** The line each key is set on (its last setting, as Properties keeps the last). */
    private static Map<String, Integer> lines(String text) {
        Map<String, Integer> lines = new HashMap<>();
        List<String> all = text.lines().toList();
        boolean continued = false;
        for (int i = 0; i < all.size(); i++) {
            String line = all.get(i);
            boolean wasContinued = continued;
            continued = line.endsWith("\\") && (line.length() - line.replaceAll("\\\\+$", "").length()) % 2 == 1;
            String trimmed = line.strip();
            if (wasContinued || trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith("!")) {
                continue;
            }
            Matcher m = KEY.matcher(line);
            if (m.find()) {
                lines.put(m.group(1).replaceAll("\\\\(.)", "$1"), i + 1);
            }
        }
        return lines;
    }

    String get(String key) {
        return values.get(key);
    }

    boolean containsKey(String key) {
        return values.containsKey(key);
    }

    String getOrDefault(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /** How an error names a key of this file: "FILE line N: key". */
    String where(String key) {
        return file + " line " + lines.getOrDefault(key, 0) + ": " + key;
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
