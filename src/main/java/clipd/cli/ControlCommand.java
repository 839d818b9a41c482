package clipd.cli;

import clipd.util.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code clipd reindex} and {@code clipd folders add|remove DIR}: changes to a running daemon, authorised with the
 * token it keeps in the data directory.
 */
final class ControlCommand {
    private ControlCommand() {
    }

    static int reindex(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.CONTROL.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.CONTROL.help());
            return 0;
        }
        return send(args, cli, "/api/reindex", "{}", "rescan requested");
    }

    static int folders(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.CONTROL.spec());
        List<String> rest = args.positional();
        if (args.flag("--help") || rest.size() != 2 || !(rest.get(0).equals("add") || rest.get(0).equals("remove"))) {
            if (args.flag("--help")) {
                cli.out.print(Options.CONTROL.help());
                return 0;
            }
            throw new UsageException("say clipd folders add DIR, or clipd folders remove DIR");
        }
        Path folder = cli.resolve(rest.get(1));
        return send(args, cli, "/api/folders", "{" + Json.quote(rest.get(0)) + ": " + Json.quote(folder.toString())
                + "}", null);
    }

    private static int send(Args args, Cli cli, String path, String body, String done) throws Exception {
        DaemonClient client = new DaemonClient(Settings.from(args, cli.env));
        try {
            JsonNode answer = client.change(path, body);
            if (done != null) {
                cli.out.println(done);
            } else {
                answer.path("folders").forEach(f -> cli.out.println("watching " + f.asText()));
            }
            return Main.OK;
        } catch (DaemonClient.NotRunning e) {
            cli.err.println("clipd: clipd serve is not running (" + e.getMessage() + ")");
            return StatusCommand.NOT_RUNNING;
        }
    }
}
