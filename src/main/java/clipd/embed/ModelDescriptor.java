package clipd.embed;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What clipd needs to know about one CLIP export, read from {@code model.properties} in its model directory,
 * so that another export (OpenAI ViT-B/32 at 224 px, say) can be dropped in without code changes.
 */
public record ModelDescriptor(
        Path directory,
        String name,
        int imageSize,
        float[] mean,
        float[] std,
        int contextLength,
        int embeddingDim,
        Path visualFile,
        String visualInput,
        String visualOutput,
        Path textualFile,
        String textualInput,
        String textualOutput,
        Path tokenizerFile,
        float duplicateThreshold) {

    public static final String FILE_NAME = "model.properties";
    /**
     * The cosine at which two photos count as near-duplicates when the descriptor does not say: Immich's default for
     * CLIP (a cosine distance of 0.01 or less), which matches copies, re-encodes and resizes but not burst shots.
     */
    static final float DEFAULT_DUPLICATE_THRESHOLD = 0.99f;

    /** Reads the descriptor and checks that every file it names exists. */
    public static ModelDescriptor load(Path directory) throws ModelUnavailableException {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isDirectory(directory)) {
            throw new ModelUnavailableException(directory, "model directory " + directory + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelUnavailableException(directory, file + " is missing");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelUnavailableException(directory, file + " cannot be read: " + e.getMessage());
        }
        Fields f = new Fields(p, directory, file);
        ModelDescriptor d = new ModelDescriptor(
                directory,
                f.string("name"),
                f.positiveInt("image.size"),
                f.floats("image.mean", 3),
                f.floats("image.std", 3),
                f.positiveInt("text.context_length"),
                f.positiveInt("embedding.dim"),
                directory.resolve(f.string("visual.file")).normalize(),
                f.string("visual.input"),
                f.string("visual.output"),
                directory.resolve(f.string("textual.file")).normalize(),
                f.string("textual.input"),
                f.string("textual.output"),
                directory.resolve(f.string("tokenizer.file")).normalize(),
                f.cosine("duplicates.threshold", DEFAULT_DUPLICATE_THRESHOLD));
        d.requireFile(d.tokenizerFile);
        return d;
    }

    /** Throws unless {@code file} is a readable, non-empty file: a half-downloaded model must not reach ONNX Runtime. */
    void requireFile(Path file) throws ModelUnavailableException {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) == 0) {
                throw new ModelUnavailableException(directory, file + " is missing");
            }
        } catch (IOException e) {
            throw new ModelUnavailableException(directory, file + " cannot be read: " + e.getMessage());
        }
    }

    private record Fields(Properties p, Path directory, Path file) {
        String string(String key) throws ModelUnavailableException {
            String v = p.getProperty(key);
            if (v == null || v.isBlank()) {
                throw new ModelUnavailableException(directory, file + " has no value for '" + key + "'");
            }
            return v.trim();
        }

        int positiveInt(String key) throws ModelUnavailableException {
            String v = string(key);
            try {
                int i = Integer.parseInt(v);
                if (i > 0) {
                    return i;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new ModelUnavailableException(directory, file + ": '" + key + "' must be a positive integer, not '" + v + "'");
        }

        float cosine(String key, float fallback) throws ModelUnavailableException {
            String v = p.getProperty(key);
            if (v == null || v.isBlank()) {
                return fallback;
            }
            try {
                float f = Float.parseFloat(v.trim());
                if (f > 0 && f <= 1) {
                    return f;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new ModelUnavailableException(directory, file + ": '" + key + "' must be a cosine in (0, 1], not '" + v + "'");
        }

        float[] floats(String key, int count) throws ModelUnavailableException {
            String[] parts = string(key).split(",");
            if (parts.length != count) {
                throw new ModelUnavailableException(directory, file + ": '" + key + "' needs " + count + " comma-separated numbers");
            }
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                try {
                    out[i] = Float.parseFloat(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new ModelUnavailableException(directory, file + ": '" + key + "' has a bad number '" + parts[i] + "'");
                }
            }
            return out;
        }
    }
}
