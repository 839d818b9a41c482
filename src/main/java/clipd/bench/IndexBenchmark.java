package clipd.bench;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.image.UnreadableImageException;
import clipd.index.FolderScanner;
import clipd.index.IndexStats;
import clipd.index.Indexer;
import clipd.store.PhotoStore;
import clipd.store.StoreException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * {@code clipd bench index}: how fast the indexing pipeline embeds a folder, and how close it comes to the model's
 * own speed. The folder is copied first, so the photos are read from the page cache like any recently used folder,
 * and indexed into a fresh store; then the model alone embeds ready tensors in batches of the same size. The ratio
 * of the two rates says how well decoding hides behind inference.
 */
public final class IndexBenchmark {
    /** The model-only run lasts at least this long and this many batches, so one slow batch does not decide it. */
    private static final double MODEL_ONLY_SECONDS = 5;
    private static final int MODEL_ONLY_MIN_BATCHES = 3;

    private final ClipModel model;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final int workers;
    private final int batchSize;

    public IndexBenchmark(ClipModel model, ImageDecoder decoder, Preprocessor preprocessor, int workers,
                          int batchSize) {
        this.model = model;
        this.decoder = decoder;
        this.preprocessor = preprocessor;
        this.workers = workers;
        this.batchSize = batchSize;
    }

    /**
     * @param modelOnlyCpuMillis CPU time per image of the model-only run (all of ONNX Runtime's threads)
     */
    public record Result(long photos, double megapixels, double seconds, double cpuSeconds,
                         OptionalLong peakRssBytes, double modelOnlyRate, double modelOnlyCpuMillis) {
        public double rate() {
            return photos / seconds;
        }

        public double ratio() {
            return rate() / modelOnlyRate;
        }
    }

    /** Copies the photos of {@code source} under {@code workDir} and indexes them there, counting into stats. */
    public Result run(Path source, Path workDir, IndexStats stats)
            throws IOException, ModelUnavailableException, StoreException {
        return measure(copy(source, workDir), workDir.resolve("index.db"), stats);
    }

    /** A folder of photos copied for the benchmark, and its files. */
    public record Photos(Path dir, List<Path> files) {
    }

    /** The photos of {@code source}, copied under {@code workDir}, to measure one or more times. */
    public Photos copy(Path source, Path workDir) throws IOException {
        Path dir = workDir.resolve("photos");
        List<Path> files = copyPhotos(source, dir);
        if (files.isEmpty()) {
            throw new IOException(source + ": no photos to benchmark (supported: "
                    + String.join(", ", ImageDecoder.supportedExtensions().stream().sorted().toList()) + ")");
        }
        return new Photos(dir, files);
    }

    /** Indexes the copied photos into a fresh store at {@code storeFile}, then runs the model alone. */
    public Result measure(Photos photos, Path storeFile, IndexStats stats)
            throws IOException, ModelUnavailableException, StoreException {
        int batch = Math.min(batchSize, model.maxImageBatch()); // also loads the visual encoder before the clock runs
        try (PhotoStore store = PhotoStore.open(storeFile)) {
            Indexer indexer = new Indexer(store, model, decoder, preprocessor,
                    new FolderScanner(FolderScanner.DEFAULT_EXCLUDED_DIRS, false), workers, batch);
            double cpu0 = ProcessMeter.cpuSeconds();
            long t0 = System.nanoTime();
            indexer.index(List.of(photos.dir()), stats);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = ProcessMeter.cpuSeconds() - cpu0;
            double[] megapixels = {0};
            store.forEachRecord("", (path, record) -> {
                if (record.facts() != null) {
                    megapixels[0] += (double) record.facts().width() * record.facts().height() / 1e6;
                }
            });
            long indexed = stats.found() - stats.skipped();
            double[] modelOnly = modelOnly(photos.files(), batch);
            return new Result(indexed, megapixels[0], seconds, cpu, ProcessMeter.peakRssBytes(), modelOnly[0],
                    modelOnly[1]);
        }
    }

    /**
     * Images per second the model embeds from tensors already in memory, in batches of the pipeline's size, and
     * the CPU milliseconds per image that cost.
     */
    private double[] modelOnly(List<Path> photos, int batch) throws IOException, ModelUnavailableException {
        int pixelsPerImage = 3 * preprocessor.size() * preprocessor.size();
        float[] tensors = new float[batch * pixelsPerImage];
        int filled = 0;
        for (int i = 0; filled < batch && i < photos.size(); i++) {
            try {
                preprocessor.preprocess(decoder.decode(Files.readAllBytes(photos.get(i))), tensors,
                        filled * pixelsPerImage);
                filled++;
            } catch (UnreadableImageException e) {
                // skipped by the pipeline too
            }
        }
        // a folder smaller than one batch repeats its photos: the model's cost does not depend on the pixels
        for (int i = Math.max(1, filled); i < batch; i++) {
            System.arraycopy(tensors, (i % Math.max(1, filled)) * pixelsPerImage, tensors, i * pixelsPerImage,
                    pixelsPerImage);
        }
        model.embedImages(tensors, batch); // warm-up
        double cpu0 = ProcessMeter.cpuSeconds();
        long start = System.nanoTime();
        int batches = 0;
        while (batches < MODEL_ONLY_MIN_BATCHES || System.nanoTime() - start < MODEL_ONLY_SECONDS * 1e9) {
            model.embedImages(tensors, batch);
            batches++;
        }
        double images = batches * batch;
        return new double[] {images / ((System.nanoTime() - start) / 1e9),
                1000 * (ProcessMeter.cpuSeconds() - cpu0) / images};
    }

    private static List<Path> copyPhotos(Path source, Path target) throws IOException {
        if (!Files.isDirectory(source)) {
            throw new java.nio.file.NotDirectoryException(source.toString());
        }
        List<Path> copied = new ArrayList<>();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                String ext = FolderScanner.extension(file.getFileName().toString());
                if (ImageDecoder.supportedExtensions().contains(ext)) {
                    Path to = target.resolve(source.relativize(file).toString());
                    Files.createDirectories(to.getParent());
                    copied.add(Files.copy(file, to));
                }
            }
        }
        return copied;
    }
}
