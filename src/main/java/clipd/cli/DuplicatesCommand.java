package clipd.cli;

import clipd.search.DuplicateGroup;
import clipd.search.NearDuplicates;
import clipd.search.VectorIndex;
import clipd.util.Json;

import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code clipd duplicates [--folder DIR] [--threshold T] [--json]}: groups of photos that look the same. */
final class DuplicatesCommand {
    private DuplicatesCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.DUPLICATES.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.DUPLICATES.help());
            return 0;
        }
        Settings settings = Settings.from(args, cli.env);
        Path folder = args.value("--folder") == null ? null : cli.resolve(args.value("--folder"));
        try (Components c = Components.open(settings)) {
            float threshold = args.value("--threshold") == null ? c.descriptor.duplicateThreshold()
                    : threshold(args.value("--threshold"));
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
            if (args.flag("--json")) {
                cli.out.println(json(groups, threshold));
            } else {
                print(groups, threshold, vectors.size(), cli);
            }
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

    private static void print(List<DuplicateGroup> groups, float threshold, int photos, Cli cli) {
        for (DuplicateGroup g : groups) {
            cli.out.printf(Locale.ROOT, "%s copies, %d photos:%n", g.kind() == DuplicateGroup.Kind.EXACT ? "exact"
                    : "near", g.members().size());
            boolean first = true;
            for (DuplicateGroup.Member m : g.members()) {
                cli.out.printf(Locale.ROOT, "  %s %.3f  %5s  %s  %s  \"%s\"%n", first ? "keep" : "    ", m.similarity(),
                        size(m.bytes()), m.width() > 0 ? m.width() + "×" + m.height() : "?×?",
                        m.takenWallMillis() == null ? "date unknown"
                                : Instant.ofEpochMilli(m.takenWallMillis()).atOffset(ZoneOffset.UTC).toLocalDate(),
                        m.path());
                first = false;
            }
        }
        cli.err.printf(Locale.ROOT, "%d groups among %d photos (cosine ≥ %.3f; keep: %s)%n", groups.size(), photos,
                threshold, DuplicateGroup.KEEP_RULE);
    }

    private static String size(long bytes) {
        return bytes >= 10L << 20 ? (bytes >> 20) + "M" : bytes >= 10L << 10 ? (bytes >> 10) + "K" : bytes + "B";
    }

    static String json(List<DuplicateGroup> groups, float threshold) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "{\"threshold\": %.4f, \"keep_rule\": %s, \"groups\": [", threshold, Json.quote(DuplicateGroup.KEEP_RULE)));
        for (int i = 0; i < groups.size(); i++) {
            DuplicateGroup g = groups.get(i);
            out.append(i == 0 ? "\n" : ",\n").append("  {\"kind\": \"").append(g.kind().name().toLowerCase(Locale.ROOT))
                    .append("\", \"members\": [");
            for (int j = 0; j < g.members().size(); j++) {
                DuplicateGroup.Member m = g.members().get(j);
                out.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                        "{\"id\": \"%s\", \"path\": %s, \"keep\": %b, \"similarity\": %.4f, \"bytes\": %d, \"width\": %d,"
                                + " \"height\": %d, \"taken\": %s, \"camera\": %s, \"hash\": \"%s\"}",
                        VectorIndex.idOf(m.path()), Json.quote(m.path()), j == 0, m.similarity(), m.bytes(), m.width(),
                        m.height(), m.takenWallMillis() == null ? "null" : "\"" + Instant.ofEpochMilli(m.takenWallMillis())
                                .atOffset(ZoneOffset.UTC).toLocalDateTime() + "\"",
                        m.camera() == null ? "null" : Json.quote(m.camera()), m.hash()));
            }
            out.append("]}");
        }
        return out.append(groups.isEmpty() ? "]}" : "\n]}").toString();
    }
}
