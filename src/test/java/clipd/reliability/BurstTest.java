package clipd.reliability;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.index.Indexer;
import clipd.search.Searcher;
import clipd.search.VectorIndex;
import clipd.store.PhotoStore;
import clipd.testing.Await;
import clipd.testing.ExifPhotos;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 files arrive at once, then their folder is renamed, then deleted, while searches run: the watcher's
 * events are coalesced, no content is embedded twice, the index follows each step, and every search answers.
 */
class BurstTest {
    private static final int FILES = 10_000;
    private static final int CONTENTS = 100;

    @TempDir
    Path tmp;

    @Test
    void tenThousandFilesCreatedRenamedAndDeletedWhileSearching() throws Exception {
        Path library = Files.createDirectories(tmp.resolve("library"));
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        try (ClipModel model = new ClipModel(d, 2); PhotoStore store = PhotoStore.open(tmp.resolve("index.db"))) {
            Indexer indexer = Fixtures.tinyIndexer(store, model, 2, 8);
            Searcher searcher = Fixtures.tinySearcher(model, VectorIndex.load(store, "", d.embeddingDim())
                    .follow(store));
            searcher.warmUp();
            Daemon daemon = new Daemon(indexer, null, store, List.of(library), new Daemon.Pacing(500, 3_600_000),
                    tmp.resolve("status.json"), Map.of());
            Thread daemonThread = new Thread(daemon::run, "daemon-under-burst");
            daemonThread.start();
            AtomicInteger answered = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread queries = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        searcher.text("a colourful photo", 10, clipd.search.PhotoFilter.NONE);
                        answered.incrementAndGet();
                    } catch (Throwable t) {
                        failures.add(t);
                        return;
                    }
                }
            }, "queries");
            try {
                Await.until(() -> daemon.state() == Daemon.State.IDLE, "the daemon started");
                queries.start();
                byte[][] contents = new byte[CONTENTS][];
                for (int c = 0; c < CONTENTS; c++) {
                    contents[c] = ExifPhotos.jpeg(c + 1, 160, 120);
                }
                Path burst = library.resolve("burst");
                long t0 = System.nanoTime();
                for (int i = 0; i < FILES; i++) {
                    Path folder = burst.resolve("day " + i / 1000);
                    if (i % 1000 == 0) {
                        Files.createDirectories(folder);
                    }
                    Files.write(folder.resolve(String.format("IMG_%05d.jpg", i)), contents[i % CONTENTS]);
                }
                Await.until(() -> store.recordCount() == FILES && daemon.state() == Daemon.State.IDLE, "the burst", 120);
                double created = (System.nanoTime() - t0) / 1e9;
                assertEquals(CONTENTS, daemon.stats().embedded(), "each content embedded once");
                int afterCreate = answered.get();

                long hashedBefore = daemon.stats().hashed();
                long t1 = System.nanoTime();
                Files.move(burst, library.resolve("burst renamed"));
                Await.until(() -> store.record(library.resolve("burst renamed/day 9/IMG_09999.jpg").toString()).isPresent()
                        && store.recordCount() == FILES && daemon.state() == Daemon.State.IDLE, "the renamed folder", 120);
                double renamed = (System.nanoTime() - t1) / 1e9;
                assertEquals(CONTENTS, daemon.stats().embedded(), "a renamed folder costs no embedding");
                long reread = daemon.stats().hashed() - hashedBefore;
                assertTrue(reread < FILES / 10, "moved files are recognised without reading them: " + reread + " read");
                store.forEachRecord("", (path, r) -> assertTrue(path.contains("burst renamed"), path));

                long t2 = System.nanoTime();
                try (Stream<Path> all = Files.walk(library.resolve("burst renamed"))) {
                    for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                        Files.delete(p);
                    }
                }
                Await.until(() -> store.recordCount() == 0 && daemon.state() == Daemon.State.IDLE, "the deletion", 120);
                double deleted = (System.nanoTime() - t2) / 1e9;
                assertEquals(List.of(), List.copyOf(failures), "every search answered");
                assertTrue(afterCreate > 0 && answered.get() > afterCreate, "searches ran throughout");
                System.out.printf(java.util.Locale.ROOT, "burst: %,d files created and indexed in %.1f s, folder "
                                + "renamed and followed in %.1f s (%d files read again), deleted in %.1f s; %d "
                                + "embeddings; %,d searches answered meanwhile%n", FILES, created, renamed, reread,
                        deleted, daemon.stats().embedded(), answered.get());
            } finally {
                queries.interrupt();
                queries.join(5_000);
                daemon.stop();
                daemonThread.join(10_000);
            }
        }
    }
}
