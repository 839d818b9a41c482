package clipd.cli;

import clipd.embed.ClipModel;
import clipd.embed.ExecutionProvider;
import clipd.index.FolderScanner;
import clipd.store.PhotoStore;
import clipd.tags.TagPolicy;
import clipd.tags.XmpFiles;
import clipd.util.Home;

import java.io.File;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where clipd keeps its data and model, what it watches and how hard it works: from flags, then environment, then
 * the config file, then defaults.
 */
record Settings(Path dataDir, Path modelDir, List<Path> folders, int threads, int batchSize, long maxImagePixels,
                Set<String> excludedDirs, boolean includeHidden, boolean verbose, long settleMillis,
                long rescanMillis, String listen, int port, TagSettings tags, long minFreeBytes,
                String dataDirSource, ExecutionProvider executionProvider, long visualIdleMillis) {

    static final String DEFAULT_MODEL = "ViT-B-32-256-datacomp_s34b_b86k";
    static final int DEFAULT_MAX_MEGAPIXELS = 150;
    static final int DEFAULT_PORT = 8357;
    static final int DEFAULT_VISUAL_IDLE_SECONDS = 300;

    static Settings from(Args args, Map<String, String> env) throws UsageException {
        ConfigFile config = ConfigFile.load(args.value("--config"), env);
        Value v = new Value(args, config, env);
        Path dataDir = path(v.get("--data-dir", "data_dir", "CLIPD_DATA_DIR"), defaultDataDir(env), env);
        Path modelDir = path(v.get("--model-dir", "model_dir", "CLIPD_MODEL_DIR"),
                dataDir.resolve("models").resolve(DEFAULT_MODEL), env);
        List<Path> folders = config.containsKey("folders")
                ? Arrays.stream(config.get("folders").split(File.pathSeparator)).map(String::trim)
                .filter(s -> !s.isEmpty()).map(s -> path(s, null, env)).toList()
                : List.of();
        Set<String> excluded = !args.values("--exclude-dir").isEmpty()
                ? new LinkedHashSet<>(args.values("--exclude-dir"))
                : config.containsKey("exclude_dirs")
                ? new LinkedHashSet<>(Arrays.stream(config.get("exclude_dirs").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList())
                : FolderScanner.DEFAULT_EXCLUDED_DIRS;
        int cores = Runtime.getRuntime().availableProcessors();
        return new Settings(dataDir, modelDir, folders,
                v.integer("--threads", "threads", cores, 1, 256),
                v.integer("--batch-size", "batch_size", 8, 1, 1024),
                v.integer("--max-image-megapixels", "max_image_megapixels", DEFAULT_MAX_MEGAPIXELS, 1, 100_000)
                        * 1_000_000L,
                excluded,
                args.flag("--include-hidden") || v.bool("include_hidden"),
                args.flag("--verbose"),
                v.integer("--settle-seconds", "settle_seconds", 2, 0, 3600) * 1000L,
                v.integer("--rescan-minutes", "rescan_minutes", 60, 1, 7 * 24 * 60) * 60_000L,
                listen(v),
                v.integer("--port", "port", DEFAULT_PORT, 0, 65535),
                tagSettings(v, config, args, env),
                v.integer("--min-free-megabytes", "min_free_megabytes",
                        (int) (PhotoStore.DEFAULT_MIN_FREE_BYTES >> 20), 0, 1 << 20) * (1L << 20),
                v.where("--data-dir", "data_dir", "CLIPD_DATA_DIR"),
                executionProvider(v),
                v.integer("--visual-idle-seconds", "visual_idle_seconds", DEFAULT_VISUAL_IDLE_SECONDS, 0, 86_400)
                        * 1000L);
    }

    private static ExecutionProvider executionProvider(Value v) throws UsageException {
        String raw = v.get("--execution-provider", "execution_provider", "CLIPD_EXECUTION_PROVIDER");
        if (raw == null) {
            return ExecutionProvider.AUTO;
        }
        String source = v.where("--execution-provider", "execution_provider", "CLIPD_EXECUTION_PROVIDER");
        return ExecutionProvider.named(raw).orElseThrow(() -> new UsageException(source + " is '" + raw
                + "'; say " + ExecutionProvider.choices()));
    }

    /** The visual encoder's settings: the device asked for, CoreML's compiled models in the data dir. */
    ClipModel.Options modelOptions() {
        return new ClipModel.Options(threads, executionProvider, batchSize, dataDir.resolve("coreml-cache"),
                visualIdleMillis);
    }

    /**
     * The HTTP API's address, checked now so that a typo is a config error (exit 2) at start rather than a
     * failure that a service manager would restart over and over.
     */
    private static String listen(Value v) throws UsageException {
        String raw = v.get("--listen", "listen", null);
        if (raw == null) {
            return "127.0.0.1";
        }
        String where = v.where("--listen", "listen", null);
        boolean dotted = raw.matches("[0-9.]+");
        if (dotted && !raw.matches("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)")) {
            throw new UsageException(where + " is '" + raw + "', not an IPv4 address; say 127.0.0.1 (this machine "
                    + "only), 0.0.0.0 (every network) or an address of this machine");
        }
        if (!dotted) {
            try {
                InetAddress.getByName(raw);
            } catch (UnknownHostException e) {
                throw new UsageException(where + " is '" + raw + "', which names no address (" + e.getMessage()
                        + "); say 127.0.0.1 (this machine only) or an address of this machine");
            }
        }
        return raw;
    }

    private static TagSettings tagSettings(Value v, ConfigFile config, Args args, Map<String, String> env)
            throws UsageException {
        String mode = v.get("--tags", "tags", "CLIPD_TAGS");
        String minProbability = config.get("tags_min_probability");
        double min = TagPolicy.DEFAULT_MIN_PROBABILITY;
        if (minProbability != null) {
            try {
                min = Double.parseDouble(minProbability);
            } catch (NumberFormatException e) {
                min = -1;
            }
            if (!(min >= 0 && min <= 1)) {
                throw new UsageException(config.where("tags_min_probability") + " is '" + minProbability
                        + "'; say a number from 0 to 1");
            }
        }
        return new TagSettings(mode == null ? XmpFiles.Mode.SIDECAR
                : TagSettings.mode(mode, v.where("--tags", "tags", "CLIPD_TAGS")),
                TagSettings.basenameSidecar(config.getOrDefault("tags_sidecar", "photo.jpg.xmp"),
                        config.where("tags_sidecar")),
                new TagPolicy(min, v.integer("--tags-max", "tags_max", TagPolicy.DEFAULT_MAX_TAGS, 1, 100)),
                vocabularyFile(config, "tags_vocabulary", env), vocabularyFile(config, "tags_vocabulary_extra", env),
                args.flag("--dry-run"));
    }

    /** A vocabulary file named in the config, checked now rather than after a whole library was indexed. */
    private static Path vocabularyFile(ConfigFile config, String key, Map<String, String> env) throws UsageException {
        String raw = config.get(key);
        if (raw == null) {
            return null;
        }
        Path file = path(raw, null, env);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new UsageException(config.where(key) + " is '" + raw + "', but " + (Files.isDirectory(file)
                    ? "that is a folder" : Files.exists(file) ? "it cannot be read" : "no such file exists")
                    + "; name a text file with one tag per line, or remove the line");
        }
        return file;
    }

    /** One setting looked up as flag, then environment variable, then config file. */
    private record Value(Args args, ConfigFile config, Map<String, String> env) {
        String get(String flag, String key, String variable) {
            String f = args.value(flag);
            if (f != null) {
                return f;
            }
            String e = variable == null ? null : env.get(variable);
            return e != null && !e.isBlank() ? e : config.get(key);
        }

        /** Where the value came from, as an error names it: the flag, the variable, or the config file's line. */
        String where(String flag, String key, String variable) {
            if (args.value(flag) != null) {
                return flag;
            }
            if (variable != null && env.get(variable) != null && !env.get(variable).isBlank()) {
                return variable;
            }
            return config.containsKey(key) ? config.where(key) : "the default " + key;
        }

        int integer(String flag, String key, int defaultValue, int min, int max) throws UsageException {
            String raw = get(flag, key, null);
            return raw == null ? defaultValue : Args.parseInt(where(flag, key, null), raw, min, max);
        }

        /** A config switch: true, yes, on or 1; false, no, off or 0. */
        boolean bool(String key) throws UsageException {
            String raw = config.get(key);
            if (raw == null) {
                return false;
            }
            return switch (raw.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new UsageException(config.where(key) + " is '" + raw + "'; say true or false");
            };
        }
    }

    static Path path(String value, Path fallback, Map<String, String> env) {
        return (value == null ? fallback : Path.of(Home.expand(value, env))).toAbsolutePath().normalize();
    }

    /** ~/.local/share/clipd (or $XDG_DATA_HOME/clipd) on Linux, ~/Library/Application Support/clipd on macOS. */
    static Path defaultDataDir(Map<String, String> env) {
        Path home = Home.of(env);
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
            return home.resolve("Library/Application Support/clipd");
        }
        String xdg = env.get("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local/share")).resolve("clipd");
    }

    /** The index file for a model: embeddings of different models cannot be mixed. */
    Path storeFile(String modelName) {
        return dataDir.resolve("index-" + modelName.replaceAll("[^A-Za-z0-9._-]", "_") + ".db");
    }
}
