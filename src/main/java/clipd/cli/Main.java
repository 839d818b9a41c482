package clipd.cli;

import clipd.embed.ModelUnavailableException;
import clipd.search.QueryException;
import clipd.store.StoreException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The {@code clipd} command. Errors a person can cause end as one line and an exit code, never a stack trace. */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    /** Held so java.util.logging keeps the levels set on them (it holds its loggers weakly). */
    private static final java.util.List<java.util.logging.Logger> QUIETED = java.util.stream.Stream.of(
            "org.eclipse.jetty", "io.javalin").map(java.util.logging.Logger::getLogger).toList();
    private static final java.util.logging.Logger JAVALIN = java.util.logging.Logger.getLogger("io.javalin.Javalin");

    private Main() {
    }

    public static void main(String[] args) {
        // One line per event; the daemon's lines carry a time, since launchd's log file has none of its own.
        System.setProperty("java.util.logging.SimpleFormatter.format", args.length > 0 && args[0].equals("serve")
                ? "%1$tF %1$tT %4$s %5$s%n" : "clipd: %4$s: %5$s%n");
        QUIETED.forEach(l -> l.setLevel(java.util.logging.Level.WARNING)); // the web server's start-up chatter
        // its "Failed to start Javalin" would precede clipd's own message, which HttpServer makes of the failure
        JAVALIN.setLevel(java.util.logging.Level.OFF);
        Cli cli = new Cli(System.out, System.err, System.getenv(), Path.of("").toAbsolutePath(),
                System.console() != null);
        System.exit(run(Arrays.asList(args), cli));
    }

    static int run(List<String> args, Cli cli) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            (args.isEmpty() ? cli.err : cli.out).print(Help.MAIN);
            return args.isEmpty() ? USAGE : OK;
        }
        List<String> rest = args.subList(1, args.size());
        return guarded(cli, () -> switch (args.get(0)) {
            case "--version", "-v", "version" -> {
                cli.out.println("clipd " + version());
                yield OK;
            }
            case "index" -> IndexCommand.run(rest, cli);
            case "search" -> SearchCommand.run(rest, cli);
            case "serve" -> ServeCommand.run(rest, cli);
            case "status" -> StatusCommand.run(rest, cli);
            case "open" -> OpenCommand.run(rest, cli);
            case "reindex" -> ControlCommand.reindex(rest, cli);
            case "folders" -> ControlCommand.folders(rest, cli);
            case "tokenize" -> TokenizeCommand.run(rest, cli);
            case "embed" -> EmbedCommand.run(rest, cli);
            case "eval" -> EvalCommand.run(rest, cli);
            case "bench" -> BenchCommand.run(rest, cli);
            case "tags" -> TagsCommand.run(rest, cli);
            case "untag" -> UntagCommand.run(rest, cli);
            case "duplicates" -> DuplicatesCommand.run(rest, cli);
            case "concept" -> ConceptCommand.run(rest, cli);
            case "service" -> ServiceCommand.run(rest, cli);
            default -> throw new UsageException("unknown command '" + args.get(0) + "'");
        });
    }

    /** A command whose errors a person can cause end as one line on stderr and their exit code. */
    static int guarded(Cli cli, java.util.concurrent.Callable<Integer> command) {
        try {
            return command.call();
        } catch (UsageException e) {
            cli.err.println("clipd: " + e.getMessage() + " (see clipd --help)");
            return USAGE;
        } catch (ModelUnavailableException e) {
            cli.err.println("clipd: the CLIP model cannot be used: " + e.getMessage() + "; fetch it with: "
                    + fetchCommand(e.directory()));
            return USAGE;
        } catch (QueryException e) {
            cli.err.println("clipd: " + e.getMessage());
            return USAGE;
        } catch (clipd.image.UnreadableImageException e) {
            cli.err.println("clipd: " + e.getMessage());
            return FAILED;
        } catch (StoreException | clipd.store.DiskFullException | clipd.store.StoreDamagedException e) {
            cli.err.println("clipd: " + e.getMessage());
            return FAILED;
        } catch (IOException e) {
            cli.err.println("clipd: " + describe(e));
            return FAILED;
        } catch (Exception e) {
            cli.err.println("clipd: unexpected error: " + e);
            if (cli.env.containsKey("CLIPD_DEBUG")) {
                e.printStackTrace(cli.err);
            }
            return FAILED;
        }
    }

    /** The exact command that fetches the model into the directory this invocation looked in. */
    static String fetchCommand(Path modelDir) {
        String home = System.getProperty("clipd.home");
        String script = home == null ? "models/fetch" : Path.of(home, "models", "fetch").toString();
        return modelDir == null ? script : script + " \"" + modelDir + "\"";
    }

    static String describe(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": "
                    + clipd.util.Problems.reason(e);
        }
        return clipd.util.Problems.reason(e);
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
