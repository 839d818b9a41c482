package clipd.reliability;

import clipd.daemon.Daemon;
import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.identify.ContentHasher;
import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.index.SkipReason;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import clipd.tags.TagPolicy;
import clipd.tags.TagVocabulary;
import clipd.tags.XmpFiles;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon on a folder of bad files: each is skipped with its reason or indexed correctly, tags are written next
 * to the odd names too, nothing takes the daemon down or its memory up, and a file still being copied is indexed
 * once it is complete.
 */
class BadFilesTest {
    @TempDir
    Path tmp;

    @Test
    void everyBadFileIsSkippedWithItsReasonAndTheDaemonStaysUp() throws Exception {
        Path library = Files.createDirectories(tmp.resolve("library"));
        Map<String, SkipReason> expected = BadFiles.create(library);
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        long heapBefore = usedHeap();
        try (ClipModel model = new ClipModel(d, 2); PhotoStore store = PhotoStore.open(tmp.resolve("index.db"))) {
            Indexer indexer = Fixtures.tinyIndexer(store, model, 2, 4);
            Path vocabulary = Files.writeString(tmp.resolve("vocabulary.txt"), "cat\ndog\nsofa\n");
            PhotoTagger tagger = new PhotoTagger(store, model, TagVocabulary.load(vocabulary, null),
                    new TagPolicy(0, 1), new XmpFiles(XmpFiles.Mode.SIDECAR, false, false));
            Daemon daemon = new Daemon(indexer, tagger, store, List.of(library), new Daemon.Pacing(300, 3_600_000),
                    tmp.resolve("status.json"), Map.of());
            Thread thread = new Thread(daemon::run, "daemon-under-test");
            thread.start();
            try {
                Await.until(() -> daemon.state() == Daemon.State.IDLE, "the first reconcile");
                IndexStats stats = daemon.stats();
                StringBuilder wrong = new StringBuilder();
                for (Map.Entry<String, SkipReason> e : expected.entrySet()) {
                    Path path = library.resolve(e.getKey());
                    SkipReason actual = stats.skips().stream().filter(s -> s.path().equals(path))
                            .map(IndexStats.Skip::reason).findFirst().orElse(null);
                    boolean indexed = store.record(path.toString()).isPresent();
                    if (e.getValue() == null ? !indexed || actual != null : actual != e.getValue() || indexed) {
                        wrong.append(e.getKey()).append(": expected ")
                                .append(e.getValue() == null ? "indexed" : e.getValue()).append(", got ")
                                .append(indexed ? "indexed" : String.valueOf(actual)).append('\n');
                    }
                    if (e.getValue() == null) {
                        assertTrue(Files.exists(path.resolveSibling(path.getFileName() + ".xmp")),
                                "tagged next to its odd name: " + path);
                    }
                }
                assertEquals("", wrong.toString(), "skips: " + stats.skips());
                assertNull(daemon.status().get("last_error"));

                // a photo still being copied: half now, the rest in pieces, each sooner than the settle time
                byte[] cat = Files.readAllBytes(Fixtures.SHARED_IMAGES.resolve("cat.jpg"));
                Path arriving = library.resolve("arriving.jpg");
                int half = cat.length / 2;
                Files.write(arriving, java.util.Arrays.copyOf(cat, half));
                try (OutputStream out = Files.newOutputStream(arriving, StandardOpenOption.APPEND)) {
                    for (int from = half; from < cat.length; from += 4096) {
                        Thread.sleep(100);
                        out.write(cat, from, Math.min(4096, cat.length - from));
                        out.flush();
                    }
                }
                Await.until(() -> store.record(arriving.toString())
                        .map(r -> r.hash().equals(ContentHasher.hash(cat))).orElse(false), "the completed copy indexed");
                Await.until(() -> daemon.state() == Daemon.State.IDLE, "the daemon idle again, not in error");
            } finally {
                daemon.stop();
                thread.join(10_000);
            }
        }
        long grown = usedHeap() - heapBefore;
        assertTrue(grown < 256L << 20, "memory stays bounded (decompression bombs are refused from their "
                + "header): heap grew " + (grown >> 20) + " MB");
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
