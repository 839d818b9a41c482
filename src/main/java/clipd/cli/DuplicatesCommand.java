package clipd.cli;

import clipd.search.DuplicateGroup;
import clipd.search.NearDuplicates;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code clipd duplicates [--folder DIR] [--threshold T] [--json]}: groups of photos that look the same, from the
 * running daemon (which keeps them current) or else from the index here.
 */
final class DuplicatesCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DuplicatesCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.DUPLICATES.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.DUPLICATES.help());
            return 0;
        }
        if (!args.positional().isEmpty()) {
            throw new UsageException("clipd duplicates takes no " + args.positional().get(0)
                    + "; name a folder with --folder DIR");
        }
        Settings settings = Settings.from(args, cli.env);
        Path folder = args.value("--folder") == null ? null : cli.resolve(args.value("--folder"));
        Float threshold = args.value("--threshold") == null ? null : threshold(args.value("--threshold"));
        JsonNode answer = fromDaemon(new DaemonClient(settings, args), folder, threshold);
        if (answer == null) {
            answer = here(settings, folder, threshold);
        }
        if (args.flag("--json")) {
            cli.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        } else {
            print(answer, cli);
        }
        return 0;
    }

    static float threshold(String value) throws UsageException {
        try {
            float t = Float.parseFloat(value);
            if (t > 0 && t <= 1) {
                return t;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException("--threshold is a cosine between 0 and 1 (e.g. 0.95), not '" + value + "'");
    }

    /** The daemon's groups without its URL-only fields, or null when no daemon runs. */
    private static JsonNode fromDaemon(DaemonClient daemon, Path folder, Float threshold) throws Exception {
        StringBuilder query = new StringBuilder();
        if (folder != null) {
            query.append("folder=").append(URLEncoder.encode(folder.toString(), StandardCharsets.UTF_8));
        }
        if (threshold != null) {
            query.append(query.length() == 0 ? "" : "&").append("threshold=").append(threshold);
        }
        JsonNode answer;
        try {
            answer = daemon.get("/api/duplicates?" + query);
        } catch (DaemonClient.NotRunning e) {
            return null;
        }
        for (JsonNode g : answer.path("groups")) {
            for (JsonNode m : g.path("members")) {
                ((ObjectNode) m).remove(List.of("id", "thumbnail"));
            }
        }
        return answer;
    }

    private static JsonNode here(Settings settings, Path folder, Float asked) throws Exception {
        try (Components c = Components.open(settings)) {
            float threshold = asked == null ? c.descriptor.duplicateThreshold() : asked;
            String prefix = folder == null ? "" : folder + File.separator;
            Map<String, float[]> vectors = new HashMap<>();
            c.store.forEachRecord(prefix, (path, record) -> {
                float[] v = c.store.vector(record.hash());
                if (v != null && v.length == c.descriptor.embeddingDim()) {
                    vectors.put(path, v);
                }
            });
            NearDuplicates near = new NearDuplicates(c.descriptor.embeddingDim(), threshold, vectors::get);
            near.addAll(vectors.keySet());
            List<DuplicateGroup> groups = DuplicateGroup.describe(near.groups(p -> true),
                    p -> c.store.record(p).orElse(null), vectors::get);
            ObjectNode answer = JSON.createObjectNode().put("threshold", threshold)
                    .put("keep_rule", DuplicateGroup.KEEP_RULE);
            ArrayNode out = answer.putArray("groups");
            for (DuplicateGroup g : groups) {
                ObjectNode group = out.addObject().put("kind", g.kind().name().toLowerCase(Locale.ROOT));
                ArrayNode members = group.putArray("members");
                for (DuplicateGroup.Member m : g.members()) {
                    members.addObject().put("path", m.path()).put("keep", members.size() == 1)
                            .put("similarity", m.similarity()).put("bytes", m.bytes()).put("width", m.width())
                            .put("height", m.height()).put("taken", m.taken()).put("camera", m.camera());
                }
            }
            return answer;
        }
    }

    private static void print(JsonNode answer, Cli cli) {
        JsonNode groups = answer.path("groups");
        for (JsonNode g : groups) {
            cli.out.printf(Locale.ROOT, "%s copies, %d photos:%n", g.path("kind").asText(), g.path("members").size());
            for (JsonNode m : g.path("members")) {
                cli.out.printf(Locale.ROOT, "  %s %.3f  %5s  %s  %s  \"%s\"%n", m.path("keep").asBoolean() ? "keep" : "    ",
                        m.path("similarity").asDouble(), size(m.path("bytes").asLong()),
                        m.path("width").asInt() > 0 ? m.path("width").asInt() + "×" + m.path("height").asInt() : "?×?",
                        m.path("taken").isTextual() ? m.path("taken").asText().substring(0, 10) : "date unknown",
                        m.path("path").asText());
            }
        }
        cli.err.printf(Locale.ROOT, "%s (cosine ≥ %.3f; keep: %s)%n", Words.count(groups.size(), "group"),
                answer.path("threshold").asDouble(), answer.path("keep_rule").asText());
    }

    private static String size(long bytes) {
        return bytes >= 10L << 20 ? (bytes >> 20) + "M" : bytes >= 10L << 10 ? (bytes >> 10) + "K" : bytes + "B";
    }
}
