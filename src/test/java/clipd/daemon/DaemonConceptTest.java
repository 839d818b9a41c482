package clipd.daemon;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.search.Concepts;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import clipd.tags.TagPolicy;
import clipd.tags.TagVocabulary;
import clipd.tags.XmpFiles;
import clipd.tags.XmpKeywords;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The running daemon re-tags after a concept change, as /api/concepts asks it to, writing only what changes. */
class DaemonConceptTest {
    @TempDir
    Path tmp;

    @Test
    void aConceptChangeIsWrittenInTheNextPassAndOnlyOnce() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (String name : List.of("bee.jpg", "cat.jpg", "boats on a lake.png")) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), photos.resolve(name));
        }
        Path vocabulary = Files.writeString(tmp.resolve("vocabulary.txt"), "cat\nbee\nboat\n");
        try (ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 1);
             PhotoStore store = PhotoStore.open(tmp.resolve("index.db"))) {
            PhotoTagger tagger = new PhotoTagger(store, model, TagVocabulary.load(vocabulary, null),
                    new TagPolicy(0, 1), new XmpFiles(XmpFiles.Mode.SIDECAR, false, false));
            Daemon daemon = new Daemon(Fixtures.tinyIndexer(store, model, 1, 4), tagger, store, List.of(photos),
                    new Daemon.Pacing(300, 3_600_000), tmp.resolve("status.json"), Map.of());
            Thread thread = new Thread(daemon::run, "daemon-under-test");
            thread.start();
            try {
                Await.until(() -> tagger.stats().written() == 3 && daemon.state() == Daemon.State.IDLE, "tagged");
                Path bee = photos.resolve("bee.jpg.xmp");
                Concepts concepts = new Concepts(store, model);
                // by hand, so that only the example itself (cosine 1) belongs to it
                concepts.add(new Concepts.Change("Bee", List.of(photos.resolve("bee.jpg").toString()), List.of(),
                        null, "0.9999"));
                daemon.requestRescan();
                Await.until(() -> keywords(bee).contains("Bee"), "the concept's keyword written");
                Thread.sleep(1500); // the watcher has seen the write by now
                assertEquals(4, tagger.stats().written(), "one sidecar written for the concept, and only once");

                concepts.remove("Bee");
                daemon.requestRescan();
                Await.until(() -> tagger.stats().written() == 5, "the keyword taken away");
                assertFalse(keywords(bee).contains("Bee"));
                Thread.sleep(1500);
                assertEquals(5, tagger.stats().written());
            } finally {
                daemon.stop();
                thread.join(10_000);
            }
        }
    }

    private static List<String> keywords(Path sidecar) {
        try {
            return XmpKeywords.parse(Files.readString(sidecar)).keywords();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
