package clipd.watch;

import clipd.util.DaemonThreads;
import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryChangeListener;
import io.methvin.watcher.DirectoryWatcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Follows changes under the watched folders (recursively; inotify on Linux, FSEvents on macOS) and hands every
 * changed path to a {@link ChangeCollector}. The listener only enqueues: directory-watcher drops events when its
 * listener is slow, and reports some lost events as exceptions, so any failure asks for a rescan instead.
 */
public final class LibraryWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LibraryWatcher.class.getName());

    private final DirectoryWatcher watcher;
    private final ChangeCollector changes;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(DaemonThreads.named("clipd-watch"));

    public LibraryWatcher(List<Path> folders, ChangeCollector changes) throws IOException {
        this.changes = changes;
        this.watcher = DirectoryWatcher.builder()
                .paths(folders)
                .fileHashing(false) // it would read every file at start and on each change; clipd hashes itself
                .listener(new DirectoryChangeListener() {
                    @Override
                    public void onEvent(DirectoryChangeEvent event) {
                        if (event.eventType() == DirectoryChangeEvent.EventType.OVERFLOW || event.path() == null) {
                            LOG.log(System.Logger.Level.WARNING, "file-system events were lost; rescanning");
                            changes.requestRescan();
                        } else {
                            changes.changed(event.path());
                        }
                    }

                    @Override
                    public void onException(Exception e) {
                        LOG.log(System.Logger.Level.WARNING, "watching failed ({0}); rescanning", e.toString());
                        changes.requestRescan();
                    }
                })
                .build();
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
