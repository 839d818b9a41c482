package clipd.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Paths to the test model and the shared photos, and copies of them a test may change. */
public final class Fixtures {
    public static final Path TINY_MODEL = Path.of("src/test/resources/models/tiny").toAbsolutePath();
    public static final Path SHARED_PHOTOS = Path.of("../shared/photos/rclip-e2e").toAbsolutePath().normalize();
    public static final Path SHARED_IMAGES = SHARED_PHOTOS.resolve("images");

    private Fixtures() {
    }

    /** The tiny model's descriptor (its file is always there: it is part of the test resources). */
    public static clipd.embed.ModelDescriptor tinyDescriptor() {
        try {
            return clipd.embed.ModelDescriptor.load(TINY_MODEL);
        } catch (clipd.embed.ModelUnavailableException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An indexer for the tiny model with clipd's default decoding, scanning and exclusions. */
    public static clipd.index.Indexer tinyIndexer(clipd.store.PhotoStore store, clipd.embed.ClipModel model,
                                                  int workers, int batchSize) {
        clipd.embed.ModelDescriptor d = model.descriptor();
        return new clipd.index.Indexer(store, model, new clipd.image.ImageDecoder(150_000_000L, 4 * d.imageSize()),
                new clipd.image.Preprocessor(d.imageSize(), d.mean(), d.std()),
                new clipd.index.FolderScanner(clipd.index.FolderScanner.DEFAULT_EXCLUDED_DIRS, false), workers,
                batchSize);
    }

    /** A searcher over {@code index} for the tiny model, decoding query images as clipd does. */
    public static clipd.search.Searcher tinySearcher(clipd.embed.ClipModel model, clipd.search.VectorIndex index) {
        clipd.embed.ModelDescriptor d = model.descriptor();
        return new clipd.search.Searcher(new clipd.search.QueryEmbedder(model,
                new clipd.image.ImageDecoder(150_000_000L, 4 * d.imageSize()),
                new clipd.image.Preprocessor(d.imageSize(), d.mean(), d.std())), index);
    }

    /**
     * A copy of the tiny model at {@code target} whose visual encoder is a web page saved as visual.onnx (what a
     * failed download leaves); its tokenizer still points at the shared folder.
     */
    public static Path tinyModelWithBrokenVisualEncoder(Path target) {
        Path model = copyTree(TINY_MODEL, target);
        try {
            Files.writeString(model.resolve("visual.onnx"), "<html>404 not found</html>");
            Files.writeString(model.resolve("model.properties"), Files.readString(model.resolve("model.properties"))
                    .replace("../../../../../../shared", SHARED_PHOTOS.getParent().getParent().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return model;
    }

    /** A writable copy of {@code source} (a folder tree) under {@code target}. */
    public static Path copyTree(Path source, Path target) {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                    to.toFile().setWritable(true);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
