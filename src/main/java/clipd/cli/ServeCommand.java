package clipd.cli;

import clipd.daemon.Daemon;
import sun.misc.Signal;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code clipd serve}: the daemon. Runs until SIGTERM or SIGINT, then lets the indexer stop between two photos,
 * commits, closes the store and exits 0.
 */
final class ServeCommand {
    private ServeCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Settings.spec()
                .option("--folder")
                .option("--settle-seconds")
                .option("--rescan-minutes"));
        if (args.flag("--help")) {
            cli.out.print(Help.SERVE);
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
        try (Components c = Components.open(settings)) {
            Daemon daemon = new Daemon(c.indexer(), c.store, List.copyOf(folders),
                    new Daemon.Pacing(settings.settleMillis(), settings.rescanMillis()),
                    settings.dataDir().resolve("status.json"));
            for (String signal : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(signal), s -> daemon.stop());
            }
            daemon.run();
        }
        return 0;
    }
}
