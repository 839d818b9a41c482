package clipd.daemon;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.index.FolderScanner;
import clipd.index.Indexer;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import clipd.tags.TagPolicy;
import clipd.tags.TagVocabulary;
import clipd.tags.XmpFiles;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon with nothing to do: ready at once, quiet, and never following its own data directory. */
class DaemonQuietTest {
    @TempDir
    Path tmp;
    private ClipModel model;
    private PhotoStore store;
    private Daemon daemon;
    private Thread thread;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.stop();
            thread.join(10_000);
        }
        if (store != null) {
            store.close();
        }
        if (model != null) {
            model.close();
        }
    }

    private PhotoTagger tagger(Path vocabulary) throws Exception {
        return new PhotoTagger(store, model, TagVocabulary.load(vocabulary, null), new TagPolicy(0, 2),
                new XmpFiles(XmpFiles.Mode.SIDECAR, false, false));
    }

    private void start(Path library, Path dataDir, PhotoTagger tagger) {
        ModelDescriptor d = model.descriptor();
        Indexer indexer = new Indexer(store, model, new ImageDecoder(150_000_000L, 4 * d.imageSize()),
                new Preprocessor(d.imageSize(), d.mean(), d.std()),
                new FolderScanner(FolderScanner.DEFAULT_EXCLUDED_DIRS, false).excluding(dataDir), 2, 4);
        daemon = new Daemon(indexer, tagger, store, List.of(library), new Daemon.Pacing(300, 3_600_000),
                dataDir.resolve("status.json"), Map.of());
        thread = new Thread(daemon::run, "daemon-under-test");
        thread.start();
    }

    @Test
    void tagsAreReadyOnADaemonThatStartsWithNothingToDoAndFollowUntag() throws Exception {
        Path library = Files.createDirectories(tmp.resolve("photos"));
        for (String name : List.of("bee.jpg", "cat.jpg", "cake.jpg")) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), library.resolve(name)).toFile().setWritable(true);
        }
        Path data = Files.createDirectories(tmp.resolve("data"));
        model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 2);
        store = PhotoStore.open(data.resolve("index.db"));
        Path vocabulary = Files.writeString(tmp.resolve("vocabulary.txt"), "cat\nbee\ncake\nflower\n");
        start(library, data, tagger(vocabulary));
        Await.until(() -> daemon.state() == Daemon.State.IDLE && Long.valueOf(3).equals(daemon.status().get("tagged")),
                "the first daemon tags the photos");
        daemon.stop();
        thread.join(10_000);

        PhotoTagger again = tagger(vocabulary); // a new process, as after a restart: nothing to index or tag
        start(library, data, again);
        Await.until(again::ready, "the stored tag embeddings loaded without any file change", 10);
        Await.until(() -> daemon.state() == Daemon.State.IDLE, "idle");
        assertEquals(true, daemon.status().get("tags_ready"));
        assertEquals(0L, daemon.status().get("queue"));

        XmpFiles files = new XmpFiles(XmpFiles.Mode.OFF, false, false);
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, files.untag(library.resolve("bee.jpg")).kind());
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, files.untag(library.resolve("cat.jpg")).kind());
        Await.until(() -> Long.valueOf(1).equals(daemon.status().get("tagged")), "tagged follows untag", 10);
        Thread.sleep(1000);
        assertEquals(0, again.stats().written(), "untagged photos are not tagged again behind the person's back");
        assertTrue(!Files.exists(library.resolve("bee.jpg.xmp")));
    }

    /**
     * The first start with a vocabulary computes its embeddings (minutes with the real model and its 1,828 tags,
     * before any photo is tagged): the log says so as it begins, and the status how far it got, so that the pause
     * is explained.
     */
    @Test
    void theFirstComputationOfTheTagEmbeddingsIsInTheLogAndTheStatus() throws Exception {
        Path library = Files.createDirectories(tmp.resolve("photos"));
        Path data = Files.createDirectories(tmp.resolve("data"));
        model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 2);
        store = PhotoStore.open(data.resolve("index.db"));
        Path vocabulary = Files.writeString(tmp.resolve("vocabulary.txt"), java.util.stream.IntStream.range(0, 400)
                .mapToObj(i -> "thing " + i).collect(java.util.stream.Collectors.joining("\n")));
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("clipd.tags.TagScorer");
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(new java.util.logging.SimpleFormatter().formatMessage(r));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            PhotoTagger tagger = tagger(vocabulary);
            start(library, data, tagger);
            java.util.Set<String> seen = new java.util.LinkedHashSet<>();
            while (!tagger.ready() && thread.isAlive()) {
                Object progress = daemon.status().get("tag_vocabulary");
                if (progress != null) {
                    seen.add(progress.toString());
                }
                Thread.sleep(5);
            }
            assertTrue(logged.stream().anyMatch(l -> l.startsWith("computing the text embeddings of 400 tags "
                    + "with 7 prompts each (once per model and vocabulary)")), logged.toString());
            assertTrue(seen.size() >= 2, "the status follows the computation: " + seen);
            assertTrue(seen.stream().allMatch(line -> line.matches("computing the text embeddings of 400 tags "
                    + "\\(once per model and vocabulary\\): [0-9,]+ done")), seen.toString());
            Await.until(() -> daemon.state() == Daemon.State.IDLE, "idle");
            assertEquals(null, daemon.status().get("tag_vocabulary"), "once done, it leaves the status");
        } finally {
            log.removeHandler(handler);
        }
    }

    @Test
    void aDataDirectoryInsideTheLibraryIsNeverIndexedAndAChangingFileCostsNoCore() throws Exception {
        Path library = Files.createDirectories(tmp.resolve("photos"));
        Files.copy(Fixtures.SHARED_IMAGES.resolve("bee.jpg"), library.resolve("bee.jpg"));
        Path data = Files.createDirectories(library.resolve("clipd-data"));
        Files.createDirectories(data.resolve("thumbnails"));
        Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), data.resolve("thumbnails/abc-256.jpg"));
        model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 2);
        store = PhotoStore.open(data.resolve("index.db"));
        start(library, data, null);
        Await.until(() -> daemon.state() == Daemon.State.IDLE && store.recordCount() == 1, "the library indexed");

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getThreadCpuTime(thread.getId());
        long hashed = daemon.stats().hashed();
        Path log = library.resolve("download.log");
        for (int i = 0; i < 6; i++) {
            Files.writeString(log, "line " + i + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Files.copy(Fixtures.SHARED_IMAGES.resolve("cake.jpg"), data.resolve("thumbnails/t" + i + ".jpg"));
            Thread.sleep(500);
        }
        long cpuMillis = (threads.getThreadCpuTime(thread.getId()) - cpu0) / 1_000_000;
        assertTrue(cpuMillis < 1000, "the loop thread used " + cpuMillis + " ms of CPU in 3 s");
        Await.until(() -> daemon.state() == Daemon.State.IDLE && daemon.status().get("settling").equals(0), "settled");
        assertEquals(1, store.recordCount(), "nothing in the data directory was indexed");
        assertEquals(hashed, daemon.stats().hashed());
        assertEquals(1, ((Number) daemon.status().get("skipped")).intValue(), "download.log, once");
    }
}
