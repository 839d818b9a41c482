package clipd.cli;

import clipd.embed.ModelUnavailableException;
import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.index.SkipReason;
import clipd.tags.PhotoTagger;
import clipd.tags.TagStats;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code clipd index DIR...}: brings the index of the folders up to date and says what it did. */
final class IndexCommand {
    /** Up to this many skipped files are named even without --verbose. */
    private static final int LISTED_WITHOUT_VERBOSE = 20;

    private IndexCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.INDEX.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.INDEX.help());
            return 0;
        }
        if (args.positional().isEmpty()) {
            throw new UsageException("name at least one folder to index, e.g. clipd index ~/Pictures");
        }
        Settings settings = Settings.from(args, cli.env);
        List<Path> roots = new java.util.ArrayList<>();
        for (String d : args.positional()) {
            roots.add(cli.folder(d, "clipd index takes folders and indexes the photos under them"));
        }
        try (Components c = Components.open(settings)) {
            PhotoTagger tagger = c.tagging() ? c.tagger() : null;
            Indexer indexer = c.indexer(tagger);
            long rebuild = c.store.rebuildMark();
            IndexStats stats = index(indexer, roots, cli);
            c.store.rebuilt(rebuild);
            report(stats, settings.verbose(), cli.out);
            indexer.unseen().list().forEach(u -> cli.out.println("not seen, kept in the index: " + u));
            if (c.store.repair() != null) {
                cli.out.println("index: " + c.store.repair());
            }
            if (stats.damagedMetadata() > 0) {
                cli.out.println(stats.damagedMetadata() + " photos with metadata over the nesting or time limit: "
                        + "indexed from their pixels");
            }
            if (tagger != null) {
                tag(c, tagger, roots, cli);
            }
        }
        return 0;
    }

    /** Writes the tags of the photos under the folders; a dry run lists what it would write instead. */
    private static void tag(Components c, PhotoTagger tagger, List<Path> roots, Cli cli)
            throws ModelUnavailableException {
        boolean dryRun = c.settings.tags().dryRun();
        PhotoTagger.Listener listener = (photo, tags, outcome) -> {
            switch (outcome.kind()) {
                case WOULD_WRITE -> cli.out.println("would write to \"" + outcome.file() + "\": "
                        + (tags.isEmpty() ? "(no clipd keywords)" : String.join(", ", tags)));
                case FAILED, REFUSED, CHANGED -> cli.out.println("  tags not written for \"" + photo + "\": "
                        + outcome.detail());
                case SKIPPED_READ_ONLY -> {
                    if (c.settings.verbose()) {
                        cli.out.println("  tags not written for \"" + photo + "\": read-only");
                    }
                }
                default -> {
                }
            }
        };
        for (Path root : roots) {
            tagger.tagStale(root + java.io.File.separator, listener);
        }
        TagStats t = tagger.stats();
        cli.out.printf(Locale.ROOT, "tags (%s%s): %d XMP files %s, %d already up to date, %d read-only, %d failed%s%n",
                c.settings.tags().mode().name().toLowerCase(Locale.ROOT), dryRun ? ", dry run" : "", t.written(),
                dryRun ? "would be written" : "written", t.unchanged(), t.skippedReadOnly(), t.failed(),
                t.refusalsAndRetries());
    }

    /** Indexes the folders, with progress on a terminal. */
    static IndexStats index(Indexer indexer, List<Path> roots, Cli cli) throws IOException, ModelUnavailableException {
        IndexStats stats = new IndexStats();
        try (ProgressReporter ignored = new ProgressReporter(stats, cli.err, cli.terminal)) {
            indexer.index(roots, stats);
        }
        return stats;
    }

    static void report(IndexStats s, boolean verbose, PrintStream out) {
        out.printf(Locale.ROOT, "%d photos in %.1f s: %d embedded, %d reused (moved, copied or retagged), "
                        + "%d unchanged, %d removed from the index%n",
                s.found(), s.elapsedSeconds(), s.embedded(), s.reused(), s.unchanged(), s.removed());
        if (s.skipped() == 0) {
            return;
        }
        Map<SkipReason, Long> counts = s.skipCounts();
        out.println("skipped " + s.skipped() + (s.skipped() == 1 ? " file: " : " files: ")
                + counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().description())
                .collect(Collectors.joining(", ")));
        if (verbose || s.skipped() <= LISTED_WITHOUT_VERBOSE) {
            for (IndexStats.Skip skip : s.skips()) {
                out.println("  skipped \"" + skip.path() + "\": " + skip.reason().description()
                        + (skip.detail() == null ? "" : " (" + skip.detail() + ")"));
            }
            if (s.skipped() > s.skips().size()) {
                out.printf(Locale.ROOT, "  (and %d more, not listed: clipd names the first %,d skipped files)%n",
                        s.skipped() - s.skips().size(), IndexStats.MAX_LISTED_SKIPS);
            }
        } else {
            out.println("  (--verbose lists them)");
        }
    }
}
