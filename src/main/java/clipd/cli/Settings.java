package clipd.cli;

import clipd.index.FolderScanner;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Where clipd keeps its data and model, and how hard it works: from flags, then environment, then defaults. */
record Settings(Path dataDir, Path modelDir, int threads, int batchSize, long maxImagePixels,
                Set<String> excludedDirs, boolean includeHidden, boolean verbose) {

    static final String DEFAULT_MODEL = "ViT-B-32-256-datacomp_s34b_b86k";
    static final int DEFAULT_MAX_MEGAPIXELS = 150;

    /** The options every command that touches the index understands. */
    static Args.Spec spec() {
        return new Args.Spec()
                .option("--data-dir")
                .option("--model-dir")
                .option("--threads")
                .option("--batch-size", "-b")
                .option("--max-image-megapixels")
                .option("--exclude-dir")
                .flag("--include-hidden")
                .flag("--verbose")
                .flag("--help", "-h");
    }

    static Settings from(Args args, Map<String, String> env) throws UsageException {
        Path dataDir = path(args.value("--data-dir"), env.get("CLIPD_DATA_DIR"), defaultDataDir(env));
        Path modelDir = path(args.value("--model-dir"), env.get("CLIPD_MODEL_DIR"),
                dataDir.resolve("models").resolve(DEFAULT_MODEL));
        int cores = Runtime.getRuntime().availableProcessors();
        Set<String> excluded = args.values("--exclude-dir").isEmpty()
                ? FolderScanner.DEFAULT_EXCLUDED_DIRS : new LinkedHashSet<>(args.values("--exclude-dir"));
        return new Settings(dataDir, modelDir,
                args.intValue("--threads", cores, 1, 256),
                args.intValue("--batch-size", 8, 1, 1024),
                args.intValue("--max-image-megapixels", DEFAULT_MAX_MEGAPIXELS, 1, 100_000) * 1_000_000L,
                excluded,
                args.flag("--include-hidden"),
                args.flag("--verbose"));
    }

    private static Path path(String flag, String env, Path fallback) {
        String chosen = flag != null ? flag : env != null && !env.isBlank() ? env : null;
        return (chosen == null ? fallback : Path.of(expandHome(chosen))).toAbsolutePath().normalize();
    }

    private static String expandHome(String p) {
        return p.equals("~") || p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p;
    }

    /** ~/.local/share/clipd (or $XDG_DATA_HOME/clipd) on Linux, ~/Library/Application Support/clipd on macOS. */
    static Path defaultDataDir(Map<String, String> env) {
        Path home = Path.of(System.getProperty("user.home"));
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
