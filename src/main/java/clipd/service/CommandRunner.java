package clipd.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the service manager's commands, found on the given PATH (Java's own lookup uses this process's PATH, so a
 * caller's PATH would otherwise be ignored), with the given environment.
 */
public final class CommandRunner {
    public record Result(List<String> command, int exit, String output) {
        public String describe() {
            String out = output.strip().replace('\n', ' ');
            return String.join(" ", command) + " exited with " + exit + (out.isEmpty() ? "" : ": " + out);
        }
    }

    private final Map<String, String> env;

    public CommandRunner(Map<String, String> env) {
        this.env = env;
    }

    public Result run(List<String> command) throws IOException {
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, find(command.get(0)).toString());
        ProcessBuilder pb = new ProcessBuilder(resolved).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        return new Result(command, p.exitValue(), output);
    }

    private Path find(String name) throws IOException {
        for (String dir : env.getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IOException(name + " is not on the PATH (" + env.getOrDefault("PATH", "") + "); "
                + "clipd service needs it to install the service");
    }
}
