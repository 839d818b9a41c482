package clipd.cli;

import clipd.daemon.WatchableFolders;
import clipd.index.IndexStats;
import clipd.util.Json;
import clipd.search.Query;
import clipd.search.PhotoFilter;
import clipd.search.QueryParser;
import clipd.search.SearchHit;
import clipd.search.VectorIndex;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** {@code clipd search [--folder DIR] QUERY...}: ranks indexed photos by a text and/or image query. */
final class SearchCommand {
    static final int MAX_TOP = 1_000_000;

    private SearchCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.SEARCH.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.SEARCH.help());
            return 0;
        }
        Settings settings = Settings.from(args, cli.env);
        if (args.flag("--all") && args.value("--top") != null) {
            throw new UsageException("--all and --top exclude each other");
        }
        int top = args.flag("--all") ? Integer.MAX_VALUE : args.intValue("--top", 10, 1, MAX_TOP);
        Path folder = args.value("--folder") == null ? null : args.flag("--no-indexing")
                ? cli.resolve(args.value("--folder"))
                : cli.folder(args.value("--folder"), "--folder names a folder to index and search under");
        Map<String, String> filters = filters(args, folder);
        PhotoFilter filter = PhotoFilter.parse(filters, name -> "--" + name.replace('_', '-'));
        Query query = args.positional().isEmpty() && !filter.isEmpty() ? null
                : QueryParser.parse(args.positional(), cli.workingDir);
        DaemonClient daemon = new DaemonClient(settings, args);
        List<SearchHit> fromDaemon = askDaemon(daemon, query, top, filters);
        if (fromDaemon != null) {
            if (fromDaemon.isEmpty() && folder != null && outsideLibrary(daemon, folder)) {
                cli.err.println("clipd: " + folder + " is not in the running daemon's library, so nothing there is "
                        + "indexed; add it with: clipd folders add " + folder);
                return 1;
            }
            print(fromDaemon, args, cli);
            return 0;
        }
        try (Components c = Components.open(settings)) {
            if (folder != null && !args.flag("--no-indexing")) {
                IndexStats stats = IndexCommand.index(c.indexer(null), List.of(folder), cli);
                if (stats.embedded() + stats.reused() + stats.removed() > 0) {
                    cli.err.printf(Locale.ROOT, "index updated: %d embedded, %d reused, %d removed%n",
                            stats.embedded(), stats.reused(), stats.removed());
                }
            }
            float[] vector = query == null ? null : c.queryEmbedder().embed(query);
            String prefix = folder == null ? "" : folder + File.separator;
            VectorIndex index = VectorIndex.load(c.store, prefix, c.descriptor.embeddingDim());
            if (index.size() == 0) {
                cli.err.println("clipd: no indexed photos" + (folder == null ? "" : " under " + folder)
                        + "; index a folder first: clipd index DIR");
                return 0;
            }
            List<SearchHit> hits = vector == null ? index.newest(top, filter) : index.top(vector, top, filter);
            print(hits, args, cli);
        }
        return 0;
    }

    /** The metadata filters by their API names (the CLI's --has-gps/--no-gps become has_gps). */
    private static Map<String, String> filters(Args args, Path folder) throws UsageException {
        Map<String, String> f = new LinkedHashMap<>();
        for (String name : List.of("after", "before", "camera", "near", "type")) {
            if (args.value("--" + name) != null) {
                f.put(name, args.value("--" + name));
            }
        }
        if (args.flag("--has-gps") && args.flag("--no-gps")) {
            throw new UsageException("--has-gps and --no-gps exclude each other");
        }
        if (args.flag("--has-gps") || args.flag("--no-gps")) {
            f.put("has_gps", String.valueOf(args.flag("--has-gps")));
        }
        if (folder != null) {
            f.put("folder", folder + File.separator);
        }
        return f;
    }

    /** A running daemon answers in milliseconds and keeps its folders current itself; null when none runs. */
    private static List<SearchHit> askDaemon(DaemonClient daemon, Query query, int top, Map<String, String> filters)
            throws Exception {
        try {
            List<SearchHit> hits = daemon.search(query, top, filters);
            return hits == null || hits.size() <= top ? hits : hits.subList(0, top); // "all" past the API's page
        } catch (DaemonClient.NotRunning e) {
            return null;
        }
    }

    /** Whether {@code folder} neither lies in one of the daemon's folders nor holds one. */
    private static boolean outsideLibrary(DaemonClient daemon, Path folder) throws Exception {
        Path real = WatchableFolders.realOrAsIs(folder);
        try {
            for (JsonNode watched : daemon.status().path("folders")) {
                Path w = WatchableFolders.realOrAsIs(Path.of(watched.asText()));
                if (real.startsWith(w) || w.startsWith(real)) {
                    return false;
                }
            }
            return true;
        } catch (DaemonClient.NotRunning e) {
            return false; // stopped since it answered: no more to say
        }
    }

    private static void print(List<SearchHit> hits, Args args, Cli cli) {
        if (args.flag("--json")) {
            StringBuilder json = new StringBuilder("[");
            for (SearchHit h : hits) {
                json.append(json.length() > 1 ? ",\n " : "\n ")
                        .append(String.format(Locale.ROOT, "{\"score\": %.6f, \"path\": %s}", h.score(),
                                Json.quote(h.path())));
            }
            cli.out.println(json.append(hits.isEmpty() ? "]" : "\n]"));
            return;
        }
        for (SearchHit h : hits) {
            cli.out.println(args.flag("--filepath-only") ? h.path()
                    : String.format(Locale.ROOT, "%.3f\t\"%s\"", h.score(), h.path()));
        }
    }
}
