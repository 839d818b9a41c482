package clipd.daemon;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.identify.ContentHasher;
import clipd.index.Indexer;
import clipd.store.PhotoStore;
import clipd.tags.PhotoTagger;
import clipd.tags.TagPolicy;
import clipd.tags.TagVocabulary;
import clipd.tags.XmpFiles;
import clipd.tags.XmpKeywords;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon tags what it indexes, and its own XMP writes do not come back to it as changes. */
class DaemonTaggingTest {
    @TempDir
    Path tmp;

    @Test
    void ownWritesDoNotLoopAndAPersonsSidecarEditIsReadWithoutRewriting() throws Exception {
        for (XmpFiles.Mode mode : List.of(XmpFiles.Mode.EMBED, XmpFiles.Mode.SIDECAR)) {
            run(mode, Files.createDirectories(tmp.resolve(mode.name())));
        }
    }

    private void run(XmpFiles.Mode mode, Path dir) throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : List.of("bee.jpg", "cat.jpg", "boats on a lake.png")) {
            Files.copy(Fixtures.SHARED_IMAGES.resolve(name), photos.resolve(name)).toFile().setWritable(true);
        }
        byte[] cat = Files.readAllBytes(photos.resolve("cat.jpg"));
        ModelDescriptor d = ModelDescriptor.load(Fixtures.TINY_MODEL);
        Path vocabulary = Files.writeString(dir.resolve("vocabulary.txt"), "cat\nbee\nboat\nlake\nflower\n");
        try (ClipModel model = new ClipModel(d, 2); PhotoStore store = PhotoStore.open(dir.resolve("index.db"))) {
            Indexer indexer = Fixtures.tinyIndexer(store, model, 2, 4);
            PhotoTagger tagger = new PhotoTagger(store, model, TagVocabulary.load(vocabulary, null),
                    new TagPolicy(0, 2), new XmpFiles(mode, false, false));
            Daemon daemon = new Daemon(indexer, tagger, store, List.of(photos), new Daemon.Pacing(300, 3_600_000),
                    dir.resolve("status.json"), Map.of());
            assertTrue(!tagger.ready(), "the tag embeddings are computed on first use, not at construction");
            Thread thread = new Thread(daemon::run, "daemon-under-test");
            thread.start();
            try {
                Await.until(() -> tagger.stats().written() == 3 && daemon.state() == Daemon.State.IDLE, "tags written");
                assertTrue(tagger.ready());
                long hashed = daemon.stats().hashed();
                Thread.sleep(1500); // five settle periods: the watcher has seen clipd's writes by now
                assertEquals(hashed, daemon.stats().hashed(), mode + ": clipd's own writes are not read again");
                assertEquals(3, tagger.stats().written(), mode + ": and not written again");
                assertEquals(3L, daemon.status().get("tagged"));
                Path statusFile = dir.resolve("status.json");
                Await.until(() -> readQuietly(statusFile).contains("\"tagged\": 3"), "the status file written");
                JsonNode status = new ObjectMapper().readTree(statusFile.toFile());
                assertTrue(status.get("tag_refused").isObject() && status.get("tag_changed_retry").asLong() == 0,
                        status.toString());
                assertEquals(ContentHasher.hash(cat), ContentHasher.hash(Files.readAllBytes(photos.resolve("cat.jpg"))));

                Path sidecar = photos.resolve("boats on a lake.png.xmp");
                XmpKeywords edited = XmpKeywords.parse(Files.readString(sidecar));
                String packet = edited.serialize(false);
                int subject = packet.indexOf("<rdf:li>", packet.indexOf("<dc:subject>")); // another app's keyword
                packet = packet.substring(0, subject) + "<rdf:li>sailing</rdf:li>" + packet.substring(subject);
                Files.writeString(sidecar, packet, StandardCharsets.UTF_8); // as another app would
                Await.until(() -> daemon.stats().hashed() == hashed + 1, "the edited sidecar's photo read again");
                Thread.sleep(600);
                assertEquals(3, tagger.stats().written(), mode + ": its tags did not change, so no write");
                assertTrue(XmpKeywords.parse(Files.readString(sidecar)).keywords().contains("sailing"));
            } finally {
                daemon.stop();
                thread.join(10_000);
            }
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
