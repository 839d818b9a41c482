package clipd.watch;

import clipd.util.DaemonThreads;
import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryChangeListener;
import io.methvin.watcher.DirectoryWatcher;
import io.methvin.watcher.visitor.FileTreeVisitor;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * Follows changes under the watched folders (recursively; inotify on Linux, FSEvents on macOS) and hands every
 * changed path to a {@link ChangeCollector}. The listener only enqueues: directory-watcher drops events when its
 * listener is slow, and reports some lost events as exceptions (a NullPointerException for an OVERFLOW without a
 * path, in 0.19.1), so any failure quietly asks for a rescan instead. Folders that {@code ignored} names (clipd's
 * own data directory, when a watched folder holds it) are not registered at all.
 */
public final class LibraryWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LibraryWatcher.class.getName());

    private final DirectoryWatcher watcher;
    private final ChangeCollector changes;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("clipd-watch"));

    public LibraryWatcher(List<Path> folders, ChangeCollector changes) throws IOException {
        this(folders, p -> false, changes);
    }

    public LibraryWatcher(List<Path> folders, Predicate<Path> ignored, ChangeCollector changes) throws IOException {
        this.changes = changes;
        this.watcher = DirectoryWatcher.builder()
                .paths(folders)
                .fileHashing(false) // it would read every file at start and on each change; clipd hashes itself
                .fileTreeVisitor(skipping(ignored))
                .listener(new DirectoryChangeListener() {
                    @Override
                    public void onEvent(DirectoryChangeEvent event) {
                        LOG.log(System.Logger.Level.TRACE, "event {0} {1}", event.eventType(), event.path());
                        if (event.eventType() == DirectoryChangeEvent.EventType.OVERFLOW || event.path() == null) {
                            LOG.log(System.Logger.Level.INFO, "file-system events were lost; rescanning");
                            changes.requestRescan();
                        } else if (!ignored.test(event.path())) {
                            changes.changed(event.path());
                        }
                    }

                    @Override
                    public void onException(Exception e) {
                        // lost events, as far as clipd can tell: the reconcile finds what they would have said
                        LOG.log(System.Logger.Level.INFO, "file-system events were lost; rescanning");
                        LOG.log(System.Logger.Level.DEBUG, "directory-watcher reported {0}", e.toString());
                        changes.requestRescan();
                    }
                })
                .build();
    }

    /** Registers every folder below a watched one except the ignored, which are not even walked. */
    private static FileTreeVisitor skipping(Predicate<Path> ignored) {
        return (start, onDirectory, onFile) -> Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (ignored.test(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                onDirectory.call(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                onFile.call(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // gone or unreadable meanwhile: the scanner reports what matters
            }
        });
    }

    /** Starts watching; returns once every folder is registered, so no later change is missed. */
    public void start() {
        watcher.watchAsync(executor).whenComplete((ignored, failure) -> {
            if (failure != null && !executor.isShutdown()) {
                LOG.log(System.Logger.Level.WARNING, "watching stopped ({0}); rescanning", failure.toString());
                changes.requestRescan();
            }
        });
    }

    @Override
    public void close() throws IOException {
        watcher.close();
        executor.shutdownNow();
    }
}
