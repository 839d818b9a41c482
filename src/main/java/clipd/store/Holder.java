package clipd.store;

import clipd.util.PrivateFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which process holds an index, so that the one refused can name it ("clipd index ~/Pictures, pid 1234") instead
 * of guessing. MapDB's file lock decides who holds it; this file beside the index only describes the holder.
 */
final class Holder {
    private Holder() {
    }

    private static Path fileOf(Path index) {
        return index.resolveSibling(index.getFileName() + ".holder");
    }

    static void claim(Path index) {
        try {
            // private, like everything in the data directory: the command line names the user's folders
            PrivateFiles.writeAtomically(fileOf(index), ProcessHandle.current().pid() + " " + command() + "\n");
        } catch (IOException e) {
            // only a description: the lock works without it
        }
    }

    static void release(Path index) {
        try {
            String line = Files.readString(fileOf(index), StandardCharsets.UTF_8);
            if (line.startsWith(ProcessHandle.current().pid() + " ")) {
                Files.deleteIfExists(fileOf(index));
            }
        } catch (IOException e) {
            // gone already
        }
    }

    /** "clipd index /home/me/Pictures (pid 1234); wait for it to finish or stop it", when that process lives. */
    static Optional<String> of(Path index) {
        try {
            String line = Files.readString(fileOf(index), StandardCharsets.UTF_8).strip();
            int space = line.indexOf(' ');
            long pid = Long.parseLong(space < 0 ? line : line.substring(0, space));
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return Optional.of((space < 0 ? "another clipd process" : line.substring(space + 1)) + " (pid " + pid
                        + "); wait for it to finish, or stop it");
            }
        } catch (IOException | NumberFormatException e) {
            // no description: the caller says it in general
        }
        return Optional.empty();
    }

    /** This process's clipd command line: "clipd index ~/Pictures" from "/…/clipd.jar index ~/Pictures". */
    private static String command() {
        String command = System.getProperty("sun.java.command", "").strip();
        String[] words = command.split(" ", 2);
        boolean clipd = words[0].endsWith("clipd.jar") || words[0].equals("clipd.cli.Main");
        return clipd ? "clipd" + (words.length > 1 ? " " + words[1] : "") : "another clipd process (" + command + ")";
    }
}
