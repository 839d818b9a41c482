package clipd.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * One ONNX Runtime session with one input and one [batch, dim] output; adapts to the input type the file declares
 * and, on a device compiled for one batch size, pads smaller batches.
 */
final class OnnxEncoder implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;
    private final OnnxJavaType inputType;
    private final int maxBatch;
    private final int dim;
    private final ExecutionProvider provider;
    /** A batch the session was compiled for (a static-shape device): smaller batches are padded to it. */
    private final int fixedBatch;

    OnnxEncoder(OrtEnvironment env, SessionOpener.Opened opened, Path file, String inputName, String outputName,
                int dim) throws ModelUnavailableException {
        this.env = env;
        this.session = opened.session();
        this.provider = opened.provider();
        this.fixedBatch = opened.fixedBatch();
        this.inputName = inputName;
        this.outputName = outputName;
        this.dim = dim;
        try {
            TensorInfo input = tensorInfo(session.getInputInfo(), inputName, file, "input");
            tensorInfo(session.getOutputInfo(), outputName, file, "output");
            this.inputType = input.type;
            long batchDim = input.getShape().length > 0 ? input.getShape()[0] : -1;
            this.maxBatch = fixedBatch > 0 ? fixedBatch : batchDim > 0 ? (int) batchDim : Integer.MAX_VALUE;
        } catch (OrtException | ModelUnavailableException e) {
            closeQuietly();
            if (e instanceof ModelUnavailableException m) {
                throw m;
            }
            throw new ModelUnavailableException(file.getParent(), file + " cannot be inspected: " + firstLine(e.getMessage()), e);
        }
    }

    private static TensorInfo tensorInfo(Map<String, NodeInfo> infos, String name, Path file, String what)
            throws ModelUnavailableException {
        NodeInfo info = infos.get(name);
        if (info == null || !(info.getInfo() instanceof TensorInfo t)) {
            throw new ModelUnavailableException(file.getParent(), file + " has no tensor " + what + " named '" + name
                    + "' (it has " + infos.keySet() + ")");
        }
        return t;
    }

    /** The largest batch the model accepts (models exported with a fixed batch of 1 exist). */
    int maxBatch() {
        return maxBatch;
    }

    ExecutionProvider provider() {
        return provider;
    }

    /** Runs a float input (pixels); converted to float16 when the model wants that. */
    float[][] run(float[] data, long[] shape) throws OrtException {
        int n = (int) shape[0];
        if (fixedBatch > n) {
            data = Arrays.copyOf(data, data.length / n * fixedBatch);
            shape = shape.clone();
            shape[0] = fixedBatch;
            return Arrays.copyOf(run(data, shape), n);
        }
        OnnxTensor tensor = switch (inputType) {
            case FLOAT -> OnnxTensor.createTensor(env, directFloats(data), shape);
            case FLOAT16 -> OnnxTensor.createTensor(env, fp16(data), shape, OnnxJavaType.FLOAT16);
            default -> throw new OrtException("model input '" + inputName + "' is " + inputType + ", expected float");
        };
        return runAndClose(tensor, (int) shape[0]);
    }

    /** Runs an integer input (token ids), as int64 or int32 as the model declares. */
    float[][] run(long[] data, long[] shape) throws OrtException {
        OnnxTensor tensor = switch (inputType) {
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape);
            case INT32 -> {
                IntBuffer ints = IntBuffer.allocate(data.length);
                for (long v : data) {
                    ints.put((int) v);
                }
                yield OnnxTensor.createTensor(env, ints.flip(), shape);
            }
            default -> throw new OrtException("model input '" + inputName + "' is " + inputType + ", expected int64");
        };
        return runAndClose(tensor, (int) shape[0]);
    }

    private float[][] runAndClose(OnnxTensor input, int batch) throws OrtException {
        try (input; OrtSession.Result result = session.run(Map.of(inputName, input))) {
            OnnxTensor out = (OnnxTensor) result.get(outputName).orElseThrow(
                    () -> new OrtException("model produced no output '" + outputName + "'"));
            long[] shape = out.getInfo().getShape();
            if (shape.length != 2 || shape[0] != batch || shape[1] != dim) {
                throw new OrtException("model output has shape " + Arrays.toString(shape)
                        + ", expected [" + batch + ", " + dim + "]");
            }
            FloatBuffer values = out.getFloatBuffer();
            float[][] rows = new float[batch][dim];
            for (float[] row : rows) {
                values.get(row);
            }
            return rows;
        }
    }

    private static FloatBuffer directFloats(float[] data) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(data.length * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        return buffer.put(data).flip();
    }

    private static ShortBuffer fp16(float[] data) {
        ShortBuffer buffer = ByteBuffer.allocateDirect(data.length * Short.BYTES)
                .order(ByteOrder.nativeOrder()).asShortBuffer();
        for (float v : data) {
            buffer.put(Fp16Conversions.floatToFp16(v));
        }
        return buffer.flip();
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private void closeQuietly() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // already failing; the original error is what matters
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
