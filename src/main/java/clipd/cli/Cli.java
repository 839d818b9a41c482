package clipd.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** What a command may use of its surroundings; tests build one with captured streams. */
final class Cli {
    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    final Path workingDir;
    final boolean terminal;

    Cli(PrintStream out, PrintStream err, Map<String, String> env, Path workingDir, boolean terminal) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.workingDir = workingDir;
        this.terminal = terminal;
    }

    Path resolve(String path) {
        return workingDir.resolve(clipd.util.Home.expand(path, env)).toAbsolutePath().normalize();
    }
}
