package clipd.cli;

import clipd.search.ConceptModel;
import clipd.search.ConceptSummary;
import clipd.search.Concepts;
import clipd.search.QueryException;
import clipd.tags.XmpFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code clipd concept add|remove|list}: concepts taught by example. Through the running daemon (which then re-tags
 * the library), or else on the index here, re-tagging here when tags are on.
 */
final class ConceptCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConceptCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(spreadNot(words), Options.CONCEPT.spec());
        List<String> rest = args.positional();
        if (args.flag("--help")) {
            cli.out.print(Options.CONCEPT.help());
            return Main.OK;
        }
        String action = rest.isEmpty() ? "" : rest.get(0);
        if (!(action.equals("list") && rest.size() == 1 || action.equals("remove") && rest.size() == 2
                || action.equals("add") && rest.size() >= 2)) {
            throw new UsageException("say clipd concept add NAME PHOTO..., clipd concept remove NAME or clipd concept "
                    + "list");
        }
        Settings settings = Settings.from(args, cli.env);
        DaemonClient daemon = new DaemonClient(settings, args);
        JsonNode answer;
        try {
            answer = switch (action) {
                case "list" -> daemon.get("/api/concepts");
                case "remove" -> daemon.change("DELETE", "/api/concepts/" + encode(rest.get(1)), null);
                default -> add(change(args, cli), daemon);
            };
        } catch (DaemonClient.NotRunning e) {
            answer = here(action, args, settings, cli);
        }
        if (args.flag("--json")) {
            cli.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        } else {
            print(action, answer, cli);
        }
        return Main.OK;
    }

    /** {@code --not a.jpg b.jpg --text x} as {@code --not a.jpg --not b.jpg --text x}: --not takes every photo after it. */
    static List<String> spreadNot(List<String> words) {
        List<String> out = new ArrayList<>();
        boolean negatives = false;
        for (String w : words) {
            if (w.startsWith("-")) {
                negatives = w.equals("--not");
                if (negatives) {
                    continue;
                }
            } else if (negatives) {
                out.add("--not");
            }
            out.add(w);
        }
        return out;
    }

    /** What {@code add} asks for, the photos by their absolute paths. */
    private static Concepts.Change change(Args args, Cli cli) {
        List<String> rest = args.positional();
        return new Concepts.Change(rest.get(1), rest.subList(2, rest.size()).stream()
                .map(p -> cli.resolve(p).toString()).toList(),
                args.values("--not").stream().map(p -> cli.resolve(p).toString()).toList(), args.value("--text"),
                args.value("--threshold"));
    }

    /** Sends the change with its photos by id; an error about an id names its path. */
    private static JsonNode add(Concepts.Change change, DaemonClient daemon) throws Exception {
        try {
            return daemon.change("/api/concepts", JSON.writeValueAsString(body(change, daemon)));
        } catch (java.io.IOException e) {
            String message = e.getMessage();
            for (String p : concat(change.positives(), change.negatives())) {
                message = message.replace(daemon.photoId(p), p);
            }
            throw new java.io.IOException(message, e);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The change as {@code POST /api/concepts} takes it: photos by id. */
    private static ObjectNode body(Concepts.Change change, DaemonClient daemon) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("name", change.name());
        ArrayNode photos = body.putArray("photos");
        for (String p : change.positives()) {
            photos.add(daemon.photoId(p));
        }
        ArrayNode not = body.putArray("not");
        for (String p : change.negatives()) {
            not.add(daemon.photoId(p));
        }
        body.put("text", change.text()).put("threshold", change.threshold());
        return body;
    }

    /** The same as the daemon's answer, from the index here; a change re-tags here when tags are on. */
    private static JsonNode here(String action, Args args, Settings settings, Cli cli) throws Exception {
        try (Components c = Components.open(settings)) {
            Concepts concepts = c.concepts();
            ObjectNode answer = JSON.createObjectNode();
            switch (action) {
                case "list" -> {
                    answer.putPOJO("concepts", concepts.list().stream().map(ConceptSummary::of).toList());
                    answer.put("threshold_rule", ConceptModel.THRESHOLD_RULE);
                    return JSON.valueToTree(answer);
                }
                case "remove" -> {
                    String name = args.positional().get(1);
                    if (!concepts.remove(name)) {
                        throw new QueryException("no concept is named '" + name + "' (see clipd concept list)");
                    }
                    answer.put("removed", name);
                }
                default -> answer.putPOJO("concept", ConceptSummary.of(concepts.add(change(args, cli))));
            }
            if (c.tagging()) {
                answer.put("written", retag(c));
            } else {
                answer.put("tags", "off");
            }
            return JSON.valueToTree(answer);
        }
    }

    /** Brings the library's keywords in step with the concepts; returns how many XMP files were written. */
    private static int retag(Components c) throws Exception {
        int[] written = {0};
        c.tagger().tagStale("", (photo, tags, outcome) -> written[0] += outcome.kind() == XmpFiles.Outcome.Kind.WRITTEN
                ? 1 : 0);
        return written[0];
    }

    private static void print(String action, JsonNode answer, Cli cli) {
        switch (action) {
            case "list" -> {
                JsonNode all = answer.path("concepts");
                for (JsonNode c : all) {
                    cli.out.printf(Locale.ROOT, "%-20s %s, %s%s; threshold %.3f (%s)%n", c.path("name").asText(),
                            count(c.path("examples"), "example"), count(c.path("counter_examples"), "counter-example"),
                            c.path("text").isTextual() ? ", text \"" + c.path("text").asText() + "\"" : "",
                            c.path("threshold").asDouble(), c.path("threshold_source").asText());
                }
                cli.err.println(all.size() + " concepts (threshold rule: " + answer.path("threshold_rule").asText()
                        + ")");
            }
            case "remove" -> cli.out.println("removed concept " + answer.path("removed").asText() + retagged(answer));
            default -> {
                JsonNode c = answer.path("concept");
                cli.out.printf(Locale.ROOT, "concept %s: %s, %s; threshold %.3f (%s)%s%n", c.path("name").asText(),
                        count(c.path("examples"), "example"), count(c.path("counter_examples"), "counter-example"),
                        c.path("threshold").asDouble(), c.path("threshold_source").asText(), retagged(answer));
            }
        }
    }

    private static String retagged(JsonNode answer) {
        return answer.has("written") ? "; " + answer.path("written").asInt() + " XMP files re-tagged"
                : answer.has("tags") ? "; tags are off" : "; clipd serve re-tags the library";
    }

    private static String count(JsonNode n, String word) {
        return Words.count(n.asInt(), word);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
