package clipd.eval;

import clipd.embed.ClipModel;
import clipd.embed.ModelUnavailableException;
import clipd.embed.Vectors;
import clipd.image.ImageDecoder;
import clipd.image.Preprocessor;
import clipd.image.UnreadableImageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Measures how good a model is on a person's own data: zero-shot classification (the CLIP paper's method, and
 * rclip's CIFAR-100 benchmark) and text-to-image retrieval.
 */
public final class Evaluation {
    private final ClipModel model;
    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;

    public Evaluation(ClipModel model, ImageDecoder decoder, Preprocessor preprocessor) {
        this.model = model;
        this.decoder = decoder;
        this.preprocessor = preprocessor;
    }

    /** Top-1 and top-5 accuracy of one way of prompting, over {@code images} photos of {@code classes} classes. */
    public record Accuracy(Prompts prompts, double top1, double top5, int images, int classes) {
    }

    /** One labelled photo. */
    record Labelled(Path path, int label) {
    }

    /**
     * Zero-shot classification of a folder with one subfolder per class (its name, with '_' as space, is the class
     * name), with each way of prompting.
     */
    public List<Accuracy> classify(Path folder) throws IOException, ModelUnavailableException, UnreadableImageException {
        List<String> classes = new ArrayList<>();
        List<Labelled> photos = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(folder)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                int label = classes.size();
                classes.add(dir.getFileName().toString().replace('_', ' '));
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                            .sorted().forEach(p -> photos.add(new Labelled(p, label)));
                }
            }
        }
        if (classes.size() < 2 || photos.isEmpty()) {
            throw new IOException(folder + " needs at least two class folders with photos in them");
        }
        float[][] images = embedImages(photos.stream().map(Labelled::path).toList());
        List<Accuracy> result = new ArrayList<>();
        for (Prompts prompts : Prompts.values()) {
            float[][] classVectors = classVectors(classes, prompts);
            int top1 = 0;
            int top5 = 0;
            for (int i = 0; i < photos.size(); i++) {
                int rank = rankOf(images[i], classVectors, photos.get(i).label());
                top1 += rank < 1 ? 1 : 0;
                top5 += rank < 5 ? 1 : 0;
            }
            result.add(new Accuracy(prompts, (double) top1 / photos.size(), (double) top5 / photos.size(),
                    photos.size(), classes.size()));
        }
        return result;
    }

    /** Recall@1, @5, @10 of text→image retrieval over the pairs. */
    public record Recall(double at1, double at5, double at10, int pairs) {
    }

    /** Each row of the file is {@code image-path<TAB>caption}; relative paths are relative to the file. */
    public Recall retrieval(Path pairsFile) throws IOException, ModelUnavailableException, UnreadableImageException {
        List<Path> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        int line = 0;
        for (String row : Files.readAllLines(pairsFile)) {
            line++;
            if (row.isBlank() || row.startsWith("#")) {
                continue;
            }
            String[] parts = row.split("\t", 2);
            if (parts.length != 2 || parts[1].isBlank()) {
                throw new IOException(pairsFile + ":" + line + ": expected image-path<TAB>caption");
            }
            images.add(pairsFile.toAbsolutePath().getParent().resolve(parts[0]).normalize());
            captions.add(parts[1].strip());
        }
        if (images.isEmpty()) {
            throw new IOException(pairsFile + " has no pairs");
        }
        float[][] imageVectors = embedImages(images);
        float[][] textVectors = model.embedTexts(captions);
        int[] hits = new int[3];
        for (int i = 0; i < captions.size(); i++) {
            int rank = rankOf(textVectors[i], imageVectors, i);
            hits[0] += rank < 1 ? 1 : 0;
            hits[1] += rank < 5 ? 1 : 0;
            hits[2] += rank < 10 ? 1 : 0;
        }
        double n = captions.size();
        return new Recall(hits[0] / n, hits[1] / n, hits[2] / n, captions.size());
    }

    /** How many candidates score strictly higher than the right one (0 = it is first). */
    static int rankOf(float[] query, float[][] candidates, int right) {
        float target = Vectors.dot(query, candidates[right]);
        int rank = 0;
        for (int j = 0; j < candidates.length; j++) {
            if (j != right && Vectors.dot(query, candidates[j]) > target) {
                rank++;
            }
        }
        return rank;
    }

    private float[][] classVectors(List<String> classes, Prompts prompts) throws ModelUnavailableException {
        float[][] vectors = new float[classes.size()][];
        for (int c = 0; c < classes.size(); c++) {
            vectors[c] = prompts.embed(model, classes.get(c));
        }
        return vectors;
    }

    /** Embeds photos one at a time; evaluation folders are small and a clear error beats throughput here. */
    public float[][] embedImages(List<Path> paths) throws IOException, ModelUnavailableException,
            UnreadableImageException {
        float[][] out = new float[paths.size()][];
        float[] pixels = new float[3 * preprocessor.size() * preprocessor.size()];
        for (int i = 0; i < paths.size(); i++) {
            try {
                preprocessor.preprocess(decoder.decode(Files.readAllBytes(paths.get(i))), pixels, 0);
            } catch (UnreadableImageException e) {
                throw new UnreadableImageException(e.kind(), paths.get(i) + ": " + e.getMessage(), e);
            }
            out[i] = model.embedImages(pixels, 1)[0];
        }
        return out;
    }
}
