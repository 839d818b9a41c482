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

    /** A folder named on the command line; a missing folder or a file is a usage error that says which. */
    Path folder(String name, String what) throws UsageException {
        Path p = resolve(name);
        if (!java.nio.file.Files.isDirectory(p)) {
            throw new UsageException("'" + p + "' " + (java.nio.file.Files.exists(p) ? "is a file, not a folder"
                    : "does not exist") + "; " + what);
        }
        return p;
    }

    /** A file named on the command line; a missing file or a folder is a usage error that says which. */
    Path file(String name, String what) throws UsageException {
        Path p = resolve(name);
        if (!java.nio.file.Files.isRegularFile(p)) {
            throw new UsageException("'" + p + "' " + (java.nio.file.Files.isDirectory(p) ? "is a folder"
                    : "does not exist") + "; " + what);
        }
        return p;
    }

    Path resolve(String path) {
        return workingDir.resolve(clipd.util.Home.expand(path, env)).toAbsolutePath().normalize();
    }
}
