package clipd.cli;

import clipd.daemon.Daemon;
import clipd.http.AccessToken;
import clipd.http.HttpServer;
import clipd.search.Searcher;
import clipd.search.LibraryDuplicates;
import clipd.search.VectorIndex;
import clipd.tags.PhotoTagger;
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
        try (Components c = Components.open(settings)) {
            VectorIndex index = VectorIndex.load(c.store, "", c.descriptor.embeddingDim()).follow(c.store);
            Map<String, Object> about = new LinkedHashMap<>();
            about.put("version", Main.version());
            about.put("model", c.descriptor.name());
            PhotoTagger tagger = c.tagging() ? c.tagger() : null;
            Daemon daemon = new Daemon(c.indexer(tagger), tagger, c.store, List.copyOf(folders),
                    new Daemon.Pacing(settings.settleMillis(), settings.rescanMillis()),
                    settings.dataDir().resolve("status.json"), about);
            Searcher searcher = new Searcher(c.queryEmbedder(), index);
            LibraryDuplicates duplicates = new LibraryDuplicates(c.store, index, c.descriptor.duplicateThreshold())
                    .start();
            try (HttpServer http = new HttpServer(new HttpServer.Options(settings.listen(), settings.port(),
                    MAX_UPLOAD_BYTES, settings.dataDir().resolve("thumbnails"), THUMBNAIL_CACHE_BYTES,
                    settings.maxImagePixels()), searcher, c.store, daemon, tagger, duplicates)) {
                int port = http.start(AccessToken.loadOrCreate(settings.dataDir()));
                LOG.log(System.Logger.Level.INFO, "search page and API at http://{0}:{1}/", settings.listen(),
                        String.valueOf(port));
                Thread warmUp = new Thread(() -> {
                    try {
                        searcher.warmUp();
                    } catch (Exception e) {
                        LOG.log(System.Logger.Level.ERROR, "the text encoder cannot be loaded: {0}", e.getMessage());
                    }
                }, "clipd-warm-up");
                warmUp.setDaemon(true);
                warmUp.start();
                for (String signal : new String[] {"TERM", "INT"}) {
                    Signal.handle(new Signal(signal), s -> daemon.stop());
                }
                daemon.run();
            }
        }
        return 0;
    }
}
