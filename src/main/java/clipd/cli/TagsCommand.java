package clipd.cli;

import clipd.search.QueryException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code clipd tags PATH}: the tags clipd chooses for a photo and why (each candidate's probability and cosine),
 * and what the photo's XMP holds now. Asks the running daemon, else computes it here.
 */
final class TagsCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TagsCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.TAGS.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.TAGS.help());
            return Main.OK;
        }
        if (args.positional().size() != 1) {
            throw new UsageException("name one photo: clipd tags PATH");
        }
        Settings settings = Settings.from(args, cli.env);
        Path photo = cli.resolve(args.positional().get(0));
        if (!Files.isRegularFile(photo)) {
            throw new java.nio.file.NoSuchFileException(photo.toString());
        }
        int top = Args.parseInt("--top", args.value("--top") == null ? "15" : args.value("--top"), 1, 200);
        JsonNode report;
        try {
            report = new DaemonClient(settings).tags(photo, top);
        } catch (DaemonClient.NotRunning e) {
            report = explainHere(settings, photo, top);
        }
        if (args.flag("--json")) {
            cli.out.println(JSON.writeValueAsString(report));
        } else {
            print(report, cli);
        }
        return Main.OK;
    }

    private static JsonNode explainHere(Settings settings, Path photo, int top) throws Exception {
        try (Components c = Components.open(settings)) {
            float[] vector = c.store.record(photo.toString()).map(r -> c.store.vector(r.hash())).orElse(null);
            if (vector == null) {
                try {
                    vector = c.queryEmbedder().embedImage(Files.readAllBytes(photo), photo.toString());
                } catch (QueryException e) {
                    throw new QueryException(photo + " is not indexed and cannot be read: " + e.getMessage());
                }
            }
            return JSON.valueToTree(c.tagger().explain(photo, vector, top));
        }
    }

    private static void print(JsonNode r, Cli cli) {
        List<String> chosen = new ArrayList<>();
        r.path("chosen").forEach(t -> chosen.add(t.asText()));
        cli.out.println(r.path("path").asText());
        cli.out.printf(Locale.ROOT, "clipd's tags: %s (mode %s; probability at least %s, at most %d, from %,d tags)%n",
                chosen.isEmpty() ? "none" : String.join(", ", chosen), r.path("mode").asText(),
                r.path("min_probability").asText(), r.path("max_tags").asInt(), r.path("vocabulary_size").asInt());
        cli.out.printf("in %s now: %s; clipd's: %s%n", r.path("xmp_file").asText(), list(r.path("keywords")),
                list(r.path("clipd_keywords")));
        cli.out.println("  probability  cosine  tag");
        for (JsonNode c : r.path("candidates")) {
            cli.out.printf(Locale.ROOT, "%s %9.1f%%  %6.3f  %s%n", c.path("chosen").asBoolean() ? "*" : " ",
                    100 * c.path("probability").asDouble(), c.path("cosine").asDouble(), c.path("tag").asText());
        }
    }

    private static String list(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(t -> items.add(t.asText()));
        return items.isEmpty() ? "no keywords" : String.join(", ", items);
    }
}
