package clipd.cli;

import clipd.daemon.Daemon;
import clipd.http.AccessToken;
import clipd.http.HttpServer;
import clipd.search.Searcher;
import clipd.search.LibraryDuplicates;
import clipd.search.VectorIndex;
import clipd.tags.PhotoTagger;
import clipd.util.NativeMemory;
import sun.misc.Signal;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code clipd serve}: the daemon and its HTTP API. Runs until SIGTERM or SIGINT, then lets the indexer stop
 * between two photos, commits, closes the store and exits 0.
 */
final class ServeCommand {
    private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());
    private static final long MAX_UPLOAD_BYTES = 32L << 20;
    private static final long THUMBNAIL_CACHE_BYTES = 512L << 20;

    private ServeCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.SERVE.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.SERVE.help());
            return 0;
        }
        Settings settings = Settings.from(args, cli.env);
        Set<Path> folders = new LinkedHashSet<>();
        args.values("--folder").forEach(f -> folders.add(cli.resolve(f)));
        if (folders.isEmpty()) {
            folders.addAll(settings.folders());
        }
        if (folders.isEmpty()) {
            throw new UsageException("name the folders to watch: clipd serve --folder ~/Pictures, or 'folders' in "
                    + ConfigFile.defaultFile(cli.env));
        }
        if (!InetAddress.getByName(settings.listen()).isLoopbackAddress()) {
            LOG.log(System.Logger.Level.WARNING, "LISTENING ON {0}, NOT ONLY ON THIS MACHINE: anyone who can reach "
                    + "it can search your photos and see them", settings.listen());
        }
        HttpServer.checkCanListen(settings.listen(), settings.port()); // before the index or a token is made
        try (Components c = Components.open(settings)) {
            VectorIndex index = VectorIndex.load(c.store, "", c.descriptor.embeddingDim()).follow(c.store);
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("version", Main.version());
            about.put("model", c.descriptor.name());
            about.put("execution_provider", (java.util.function.Supplier<String>) c.model::providerStatus);
            about.put("visual_loaded", (java.util.function.Supplier<Boolean>) c.model::visualLoaded);
            PhotoTagger tagger = c.tagging() ? c.tagger() : null;
            Daemon daemon = new Daemon(c.indexer(tagger), tagger, c.store, List.copyOf(folders),
                    new Daemon.Pacing(settings.settleMillis(), settings.rescanMillis()),
                    settings.dataDir().resolve("status.json"), about);
            Searcher searcher = new Searcher(c.queryEmbedder(), index);
            LibraryDuplicates duplicates = new LibraryDuplicates(c.store, index, c.descriptor.duplicateThreshold());
            try (HttpServer http = new HttpServer(new HttpServer.Options(settings.listen(), settings.port(),
                    MAX_UPLOAD_BYTES, settings.dataDir().resolve("thumbnails"), THUMBNAIL_CACHE_BYTES,
                    settings.maxImagePixels()), searcher, c.store, daemon, tagger, duplicates, c.concepts())) {
                AccessToken token = AccessToken.loadOrCreate(settings.dataDir());
                int port = http.start(token);
                Endpoint endpoint = new Endpoint(ProcessHandle.current().pid(), settings.listen(), port);
                endpoint.write(settings.dataDir());
                LOG.log(System.Logger.Level.INFO, "search page and API at {0}/ ; to sign in, open {0}/#token={1} "
                        + "(or run clipd open)", endpoint.url(), token.value());
                Thread warmUp = new Thread(() -> {
                    try {
                        searcher.warmUp();
                    } catch (Exception e) {
                        LOG.log(System.Logger.Level.ERROR, "the text encoder cannot be loaded: {0}", e.getMessage());
                    }
                    // grouping a large library takes seconds of CPU, which the first search should not wait behind;
                    // after it, loading the index and grouping have left garbage that an idle daemon would keep
                    duplicates.start(NativeMemory::handBack);
                }, "clipd-warm-up");
                warmUp.setDaemon(true);
                warmUp.start();
                for (String signal : new String[] {"TERM", "INT"}) {
                    Signal.handle(new Signal(signal), s -> daemon.stop());
                }
                try {
                    daemon.run();
                } finally {
                    endpoint.remove(settings.dataDir());
                }
            }
        }
        return 0;
    }
}
