package clipd.tags;

import clipd.embed.ClipModel;
import clipd.embed.ModelDescriptor;
import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.store.PhotoStore;
import clipd.store.TagState;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Tagging never makes the index trust a file it has not read, nor trust tags it did not leave as they are. */
class TagIdentityTest {
    @TempDir
    Path tmp;

    @Test
    void aPhotoEditedBeforeItsTagWriteIsEmbeddedAgainAndChangedTagFilesAreRetagged() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        Path cat = photos.resolve("cat.jpg");
        Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), cat);
        Files.copy(Fixtures.SHARED_IMAGES.resolve("bee.jpg"), photos.resolve("bee.jpg"));
        try (ClipModel model = new ClipModel(ModelDescriptor.load(Fixtures.TINY_MODEL), 1);
             PhotoStore store = PhotoStore.open(tmp.resolve("data/index.db"))) {
            Indexer indexer = Fixtures.tinyIndexer(store, model, 1, 4);
            indexer.index(List.of(photos), new IndexStats());
            String catHash = store.record(cat.toString()).orElseThrow().hash();
            // edited after indexing, before the tags are written into it
            Files.copy(Fixtures.SHARED_IMAGES.resolve("books.jpg"), cat, StandardCopyOption.REPLACE_EXISTING);
            PhotoTagger embed = new PhotoTagger(store, model, TagVocabulary.load(null, null), new TagPolicy(0, 3),
                    new XmpFiles(XmpFiles.Mode.EMBED, false, false));
            embed.tagStale("", PhotoTagger.Listener.NONE);
            IndexStats again = new IndexStats();
            indexer.index(List.of(photos), again);
            assertEquals(1, again.embedded(), "the edit is read and embedded, not hidden by the tag write");
            assertNotEquals(catHash, store.record(cat.toString()).orElseThrow().hash());

            PhotoTagger sidecars = new PhotoTagger(store, model, TagVocabulary.load(null, null), new TagPolicy(0, 3),
                    new XmpFiles(XmpFiles.Mode.SIDECAR, false, false));
            sidecars.tagStale("", PhotoTagger.Listener.NONE);
            Path bee = photos.resolve("bee.jpg");
            TagState state = store.tagState(bee.toString()).orElseThrow();
            Path sidecar = Path.of(state.xmpFile());
            long written = sidecars.stats().written();
            Files.writeString(sidecar, Files.readString(sidecar).replace(state.tags().get(0), "someone else's"));
            sidecars.tagStale("", PhotoTagger.Listener.NONE);
            assertEquals(written + 1, sidecars.stats().written(), "a sidecar changed behind clipd's back is retagged");
        }
    }
}
