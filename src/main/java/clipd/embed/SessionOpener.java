package clipd.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Opens ONNX Runtime sessions with the settings clipd runs everywhere, and the visual encoder on the execution
 * provider asked for. Falling back to the CPU is normal, never an error: a device that this build of ONNX Runtime
 * lacks, or that fails to create a session (ONNX Runtime throws a catchable exception), gives one log line naming
 * what was asked for and why it is not used; {@code auto} says it only at debug level.
 *
 * <p>ONNX Runtime's worker threads spin-wait between operators by default, which costs a background process (and
 * whatever else the machine runs) a core's worth of busy-waiting; clipd turns it off for both thread pools.
 */
final class SessionOpener {
    private static final System.Logger LOG = System.getLogger(SessionOpener.class.getName());
    private static final Path NVIDIA_DRIVER = Path.of("/proc/driver/nvidia/version");

    private final OrtEnvironment env;
    private final int threads;
    private final Set<OrtProvider> available;
    private final boolean mac;
    private final boolean nvidiaDriver;
    private final Path compiledModels;

    /** A session and the device it runs on; {@code fixedBatch} is 0 unless the batch was fixed for the device. */
    record Opened(OrtSession session, ExecutionProvider provider, int fixedBatch) {
    }

    /**
     * @param compiledModels where CoreML keeps the models it compiles, so only the first start compiles; may be null
     */
    SessionOpener(OrtEnvironment env, int threads, Path compiledModels) {
        this(env, threads, OrtEnvironment.getAvailableProviders(), os().contains("mac"),
                !os().contains("linux") || Files.exists(NVIDIA_DRIVER), compiledModels);
    }

    /** As on a machine with these providers in its ONNX Runtime, this system and (or not) an NVIDIA driver. */
    SessionOpener(OrtEnvironment env, int threads, Set<OrtProvider> available, boolean mac, boolean nvidiaDriver,
                  Path compiledModels) {
        this.env = env;
        this.threads = Math.max(1, threads);
        this.available = available.isEmpty() ? Set.of() : java.util.EnumSet.copyOf(available);
        this.mac = mac;
        this.nvidiaDriver = nvidiaDriver;
        this.compiledModels = compiledModels;
    }

    private static String os() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    }

    /** The device {@code auto} stands for here, or the one asked for. */
    ExecutionProvider device(ExecutionProvider asked) {
        if (asked != ExecutionProvider.AUTO) {
            return asked;
        }
        if (mac && available.contains(OrtProvider.CORE_ML)) {
            return ExecutionProvider.COREML;
        }
        if (available.contains(OrtProvider.CUDA) && nvidiaDriver) {
            return ExecutionProvider.CUDA;
        }
        return ExecutionProvider.CPU;
    }

    /** Why a device cannot be used before anything is tried, or null. */
    private String unavailable(ExecutionProvider device) {
        return switch (device) {
            case COREML -> available.contains(OrtProvider.CORE_ML) ? null
                    : "this ONNX Runtime has no CoreML provider (only its macOS build for Apple silicon does)";
            case CUDA -> available.contains(OrtProvider.CUDA) ? null
                    : "this is the CPU build of clipd (build it with mvn -Pcuda package for CUDA)";
            default -> null;
        };
    }

    /** A CPU session, as the text encoder always has. */
    Opened cpu(Path file) throws ModelUnavailableException {
        try (OrtSession.SessionOptions options = options()) {
            return new Opened(env.createSession(file.toString(), options), ExecutionProvider.CPU, 0);
        } catch (OrtException e) {
            throw new ModelUnavailableException(file.getParent(), file + " is not a usable ONNX model: "
                    + OnnxEncoder.firstLine(e.getMessage()), e);
        }
    }

    /**
     * A session on the device asked for, else on the CPU. {@code batch} is the batch a device with fixed shapes
     * (CoreML) compiles the model for; {@code input} is the model's input name.
     */
    Opened open(Path file, String input, ExecutionProvider asked, int batch) throws ModelUnavailableException {
        ExecutionProvider device = device(asked);
        if (device == ExecutionProvider.CPU) {
            return cpu(file);
        }
        String why = unavailable(device);
        if (why == null) {
            try {
                return onDevice(file, input, device, batch);
            } catch (OrtException | RuntimeException e) {
                why = OnnxEncoder.firstLine(e.getMessage()).replaceFirst("^Error code - \\w+ - message: ", "").trim();
            }
        }
        LOG.log(asked == ExecutionProvider.AUTO ? System.Logger.Level.DEBUG : System.Logger.Level.INFO,
                "execution provider {0} not used for {1}: {2}; using the CPU",
                asked == ExecutionProvider.AUTO ? "auto (" + device.label() + ")" : device.label(),
                file.getFileName(), why);
        return cpu(file);
    }

    private Opened onDevice(Path file, String input, ExecutionProvider device, int batch) throws OrtException {
        try (OrtSession.SessionOptions options = options()) {
            int fixedBatch = 0;
            if (device == ExecutionProvider.COREML) {
                String batchName = symbolicBatch(file, input);
                if (batchName != null) {
                    options.setSymbolicDimensionValue(batchName, batch);
                    fixedBatch = batch;
                }
                options.addCoreML(coreMlOptions());
            } else {
                options.addCUDA(0);
            }
            return new Opened(env.createSession(file.toString(), options), device, fixedBatch);
        }
    }

    /**
     * CoreML for a ViT of fixed shapes: an ML program (the format Apple develops; fp16 on the Neural Engine and the
     * GPU), every compute unit, static shapes only, and a cache of compiled models.
     */
    private Map<String, String> coreMlOptions() throws OrtException {
        Map<String, String> o = new java.util.LinkedHashMap<>();
        o.put("ModelFormat", "MLProgram");
        o.put("MLComputeUnits", "ALL");
        o.put("RequireStaticInputShapes", "1");
        o.put("SpecializationStrategy", "FastPrediction");
        if (compiledModels != null) {
            try {
                Files.createDirectories(compiledModels);
            } catch (java.io.IOException e) {
                throw new OrtException("cannot create " + compiledModels + ": " + e.getMessage());
            }
            o.put("ModelCacheDirectory", compiledModels.toString());
        }
        return o;
    }

    /** The name of the input's batch dimension when it is symbolic: a static-shape device needs it fixed. */
    private String symbolicBatch(Path file, String input) throws OrtException {
        try (OrtSession.SessionOptions plain = new OrtSession.SessionOptions()) {
            plain.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession probe = env.createSession(file.toString(), plain)) {
                NodeInfo info = probe.getInputInfo().get(input);
                if (info != null && info.getInfo() instanceof TensorInfo t && t.getShape().length > 0
                        && t.getShape()[0] < 0) {
                    String name = t.getDimensionNames()[0];
                    return name == null || name.isEmpty() ? null : name;
                }
                return null;
            }
        }
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }
}
