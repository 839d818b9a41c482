package clipd.cli;

import clipd.util.PrivateFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code clipd open}: signs the browser in to the running daemon's page the way Jupyter does, with the token in
 * the URL's fragment (a fragment is never sent to a server, so it stays out of logs and Referer headers). The
 * browser is given a private file that redirects there rather than the URL itself, since any user of the machine
 * can read a program's command line.
 */
final class OpenCommand {
    private static final List<String> OPENERS = List.of("xdg-open", "open");
    static final String REDIRECT_FILE = "open.html";

    private OpenCommand() {
    }

    static int run(List<String> words, Cli cli) throws Exception {
        Args args = Args.parse(words, Options.OPEN.spec());
        if (args.flag("--help")) {
            cli.out.print(Options.OPEN.help());
            return Main.OK;
        }
        String url;
        try {
            url = new DaemonClient(Settings.from(args, cli.env), args).signInUrl();
        } catch (DaemonClient.NotRunning e) {
            cli.err.println("clipd: clipd serve is not running (" + e.getMessage() + ")");
            return StatusCommand.NOT_RUNNING;
        }
        cli.out.println(url);
        if (!args.flag("--print")) {
            browse(redirectFile(Settings.from(args, cli.env).dataDir(), url).toUri().toString(), cli);
        }
        return Main.OK;
    }

    /** DATA_DIR/open.html (0600 in the 0700 data directory): a page that only goes on to {@code url}. */
    static Path redirectFile(Path dataDir, String url) throws IOException {
        Path file = dataDir.resolve(REDIRECT_FILE);
        String quoted = url.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;");
        PrivateFiles.writeAtomically(file, "<!doctype html>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"refresh\" "
                + "content=\"0; url=" + quoted + "\">\n<title>clipd</title>\n<a href=\"" + quoted
                + "\">Open clipd</a>\n");
        return file;
    }

    /** Opens the URL with the desktop's opener when there is one; a machine without one is not an error. */
    private static void browse(String url, Cli cli) {
        for (String opener : OPENERS) {
            Path program = onPath(opener, cli);
            if (program != null) {
                try {
                    new ProcessBuilder(program.toString(), url).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                } catch (IOException e) {
                    cli.err.println("clipd: cannot start " + program + " (" + e.getMessage() + "); open the address "
                            + "above in a browser");
                }
                return;
            }
        }
    }

    private static Path onPath(String name, Cli cli) {
        String path = cli.env.getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return null;
    }
}
