package clipd.embed;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where ONNX Runtime runs the visual encoder: {@code auto} (CoreML on macOS, CUDA with the GPU build and an NVIDIA
 * driver, else the CPU), or one named device. A device that cannot be used falls back to the CPU.
 */
public enum ExecutionProvider {
    AUTO, CPU, COREML, CUDA;

    /** The name users write: {@code auto}, {@code cpu}, {@code coreml}, {@code cuda}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ExecutionProvider> named(String name) {
        return Arrays.stream(values()).filter(p -> p.label().equals(name.trim().toLowerCase(Locale.ROOT)))
                .findFirst();
    }

    /** "auto, cpu, coreml or cuda", for error messages. */
    public static String choices() {
        String all = Arrays.stream(values()).map(ExecutionProvider::label).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }
}
