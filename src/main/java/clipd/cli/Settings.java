package clipd.cli;

import clipd.index.FolderScanner;
import clipd.store.PhotoStore;
import clipd.tags.TagPolicy;
import clipd.tags.XmpFiles;
import clipd.util.Home;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where clipd keeps its data and model, what it watches and how hard it works: from flags, then environment, then
 * the config file, then defaults.
 */
record Settings(Path dataDir, Path modelDir, List<Path> folders, int threads, int batchSize, long maxImagePixels,
                Set<String> excludedDirs, boolean includeHidden, boolean verbose, long settleMillis,
                long rescanMillis, String listen, int port, TagSettings tags, long minFreeBytes) {

    static final String DEFAULT_MODEL = "ViT-B-32-256-datacomp_s34b_b86k";
    static final int DEFAULT_MAX_MEGAPIXELS = 150;
    static final int DEFAULT_PORT = 8357;

    static Settings from(Args args, Map<String, String> env) throws UsageException {
        Map<String, String> config = ConfigFile.load(args.value("--config"), env);
        Value v = new Value(args, config);
        Path dataDir = path(v.get("--data-dir", "data_dir", env.get("CLIPD_DATA_DIR")), defaultDataDir(env), env);
        Path modelDir = path(v.get("--model-dir", "model_dir", env.get("CLIPD_MODEL_DIR")),
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
                args.flag("--include-hidden") || Boolean.parseBoolean(config.getOrDefault("include_hidden", "false")),
                args.flag("--verbose"),
                v.integer("--settle-seconds", "settle_seconds", 2, 0, 3600) * 1000L,
                v.integer("--rescan-minutes", "rescan_minutes", 60, 1, 7 * 24 * 60) * 60_000L,
                Optional.ofNullable(v.get("--listen", "listen", null)).orElse("127.0.0.1"),
                v.integer("--port", "port", DEFAULT_PORT, 0, 65535),
                tagSettings(v, config, args, env),
                v.integer("--min-free-megabytes", "min_free_megabytes",
                        (int) (PhotoStore.DEFAULT_MIN_FREE_BYTES >> 20), 0, 1 << 20) * (1L << 20));
    }

    private static TagSettings tagSettings(Value v, Map<String, String> config, Args args, Map<String, String> env)
            throws UsageException {
        String mode = v.get("--tags", "tags", env.get("CLIPD_TAGS"));
        String minProbability = config.get("tags_min_probability");
        double min = TagPolicy.DEFAULT_MIN_PROBABILITY;
        if (minProbability != null) {
            try {
                min = Double.parseDouble(minProbability);
            } catch (NumberFormatException e) {
                min = -1;
            }
            if (!(min >= 0 && min <= 1)) {
                throw new UsageException("config key tags_min_probability is '" + minProbability
                        + "'; say a number from 0 to 1");
            }
        }
        String vocabulary = config.get("tags_vocabulary");
        String extra = config.get("tags_vocabulary_extra");
        return new TagSettings(mode == null ? XmpFiles.Mode.SIDECAR
                : TagSettings.mode(mode, args.value("--tags") != null ? "--tags"
                : env.get("CLIPD_TAGS") != null && !env.get("CLIPD_TAGS").isBlank() ? "CLIPD_TAGS" : "config key tags"),
                TagSettings.basenameSidecar(config.getOrDefault("tags_sidecar", "photo.jpg.xmp")),
                new TagPolicy(min, v.integer("--tags-max", "tags_max", TagPolicy.DEFAULT_MAX_TAGS, 1, 100)),
                vocabulary == null ? null : path(vocabulary, null, env), extra == null ? null : path(extra, null, env),
                args.flag("--dry-run"));
    }

    /** One setting looked up as flag, then environment, then config file. */
    private record Value(Args args, Map<String, String> config) {
        String get(String flag, String key, String env) {
            String f = args.value(flag);
            if (f != null) {
                return f;
            }
            return env != null && !env.isBlank() ? env : config.get(key);
        }

        int integer(String flag, String key, int defaultValue, int min, int max) throws UsageException {
            String raw = get(flag, key, null);
            return raw == null ? defaultValue
                    : Args.parseInt(args.value(flag) != null ? flag : "config key " + key, raw, min, max);
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
