package clipd.cli;

import clipd.index.IndexStats;
import clipd.util.Json;
import clipd.search.Query;
import clipd.search.QueryParser;
import clipd.search.SearchHit;
import clipd.search.VectorIndex;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** {@code clipd search [--folder DIR] QUERY...}: ranks indexed photos by a text and/or image query. */
final class SearchCommand {
    private SearchCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Settings.spec()
                .option("--folder")
                .option("--top", "-t")
                .flag("--no-indexing", "-n")
                .flag("--filepath-only", "-f")
                .option("--listen")
                .flag("--json"));
        if (args.flag("--help")) {
            cli.out.print(Help.SEARCH);
            return 0;
        }
        Settings settings = Settings.from(args, cli.env);
        int top = args.intValue("--top", 10, 1, 10_000);
        Query query = QueryParser.parse(args.positional(), cli.workingDir);
        Path folder = args.value("--folder") == null ? null : cli.resolve(args.value("--folder"));
        List<SearchHit> fromDaemon = askDaemon(settings, query, top, folder);
        if (fromDaemon != null) {
            print(fromDaemon, args, cli);
            return 0;
        }
        try (Components c = Components.open(settings)) {
            if (folder != null && !args.flag("--no-indexing")) {
                IndexStats stats = IndexCommand.index(c, List.of(folder), cli);
                if (stats.embedded() + stats.reused() + stats.removed() > 0) {
                    cli.err.printf(Locale.ROOT, "index updated: %d embedded, %d reused, %d removed%n",
                            stats.embedded(), stats.reused(), stats.removed());
                }
            }
            float[] vector = c.queryEmbedder().embed(query);
            String prefix = folder == null ? "" : folder + File.separator;
            VectorIndex index = VectorIndex.load(c.store, prefix, c.descriptor.embeddingDim());
            if (index.size() == 0) {
                cli.err.println("clipd: no indexed photos" + (folder == null ? "" : " under " + folder)
                        + "; index a folder first: clipd index DIR");
                return 0;
            }
            List<SearchHit> hits = index.top(vector, top);
            print(hits, args, cli);
        }
        return 0;
    }

    /** A running daemon answers in milliseconds and keeps its folders current itself; null when none runs. */
    private static List<SearchHit> askDaemon(Settings settings, Query query, int top, Path folder) throws Exception {
        try {
            return new DaemonClient(settings).search(query, top, folder);
        } catch (DaemonClient.NotRunning e) {
            return null;
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
