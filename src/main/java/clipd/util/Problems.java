package clipd.util;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * One line for a person about an exception: what failed and why. File-system exceptions carry only the path as
 * their message (a NoSuchFileException says "/photos/trip1"), which alone tells nobody anything.
 */
public final class Problems {
    private Problems() {
    }

    public static String describe(Throwable e) {
        if (e instanceof FileSystemException f) {
            String what = f.getOtherFile() == null ? f.getFile() : f.getFile() + " -> " + f.getOtherFile();
            return why(f) + ": " + what;
        }
        return message(e);
    }

    /** Why an I/O operation failed, in words, without the path (for a caller that names the path once). */
    public static String reason(java.io.IOException e) {
        return e instanceof FileSystemException f ? why(f) : message(e);
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String line = message.lines().findFirst().orElse(message).strip();
        return e instanceof RuntimeException ? e.getClass().getSimpleName() + ": " + line : line;
    }

    private static String why(FileSystemException f) {
        if (f.getReason() != null && !f.getReason().isBlank()) {
            return f.getReason();
        }
        if (f instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (f instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (f instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (f instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "folder not empty";
        }
        if (f instanceof FileSystemLoopException) {
            return "a link loop";
        }
        return "file-system error (" + f.getClass().getSimpleName() + ")";
    }
}
