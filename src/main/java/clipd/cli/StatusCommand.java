package clipd.cli;

import clipd.daemon.StatusFile;
import clipd.util.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

import java.util.List;

/** {@code clipd status}: the running daemon's state for people; exit 0 healthy, 1 error, 3 not running. */
final class StatusCommand {
    static final int NOT_RUNNING = 3;

    private StatusCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.STATUS.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.STATUS.help());
            return 0;
        }
        DaemonClient client = new DaemonClient(Settings.from(args, cli.env), args);
        JsonNode s;
        try {
            s = client.status();
        } catch (DaemonClient.NotRunning e) {
            if (args.flag("--json")) {
                cli.out.println("{\"state\": \"not_running\", \"message\": " + Json.quote(e.getMessage()) + "}");
                return NOT_RUNNING;
            }
            cli.out.println("clipd is not running (" + e.getMessage() + ")");
            Path file = Settings.from(args, cli.env).dataDir().resolve("status.json");
            StatusFile.read(file).filter(seen -> !seen.alive() && !seen.state().equals("stopped"))
                    .ifPresent(seen -> cli.out.printf("%s is stale: process %d, last %s at %s, is gone without "
                            + "stopping (killed or crashed?)%n", file, seen.pid(), seen.state(), seen.updated()));
            return NOT_RUNNING;
        }
        if (args.flag("--json")) {
            cli.out.println(s.toPrettyString());
        } else {
            cli.out.printf("clipd %s: %s, %d photos indexed, %d to do%s%n", s.path("version").asText(),
                    s.path("state").asText(), s.path("photos").asLong(), s.path("queue").asLong(),
                    s.path("eta_seconds").asLong() > 0 ? ", about " + ProgressReporter.duration(
                            s.path("eta_seconds").asLong()) + " left" : "");
            cli.out.printf("model %s on %s; up %s; embedded %d, renamed %d, removed %d since start; %s skipped%n",
                    s.path("model").asText(), s.path("execution_provider").asText("cpu"),
                    ProgressReporter.duration(s.path("uptime_seconds").asLong()),
                    s.path("embedded").asLong(), s.path("renamed").asLong(), s.path("removed").asLong(),
                    Words.count(s.path("skipped").asLong(), "file"));
            if (s.path("tags").asText("off").equals("off")) {
                cli.out.println("tags: off");
            } else {
                StringBuilder refused = new StringBuilder();
                s.path("tag_refused").fields().forEachRemaining(e -> refused.append(refused.isEmpty() ? "" : ", ")
                        .append(e.getValue().asLong()).append(' ').append(e.getKey().replace('_', ' ')));
                cli.out.printf("tags (%s): %d photos tagged; %d XMP writes, %d read-only, %d failed%s since start%n",
                        s.path("tags").asText(), s.path("tagged").asLong(), s.path("tag_writes").asLong(),
                        s.path("tag_read_only").asLong(), s.path("tag_failures").asLong(),
                        refused.isEmpty() ? "" : ", refused: " + refused);
                if (s.path("tag_vocabulary").isTextual()) {
                    cli.out.println("tags: " + s.path("tag_vocabulary").asText());
                }
            }
            s.path("folders").forEach(f -> cli.out.println("watching " + f.asText()));
            s.path("unseen").forEach(u -> cli.out.println("not seen, kept in the index: " + u.asText()));
            if (s.path("index_repair").isTextual()) {
                cli.out.println("index: " + s.path("index_repair").asText());
            }
            if (s.path("damaged_metadata").asLong() > 0) {
                cli.out.println("metadata not read (over the nesting or time limit): "
                        + s.path("damaged_metadata").asLong() + " photos, indexed from their pixels");
            }
            if (!s.path("last_error").isNull()) {
                cli.out.println("error: " + s.path("last_error").asText());
            }
        }
        return s.path("state").asText().equals("error") ? Main.FAILED : Main.OK;
    }
}
