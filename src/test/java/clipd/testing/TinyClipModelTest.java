package clipd.testing;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class TinyClipModelTest {
    @Test
    void theCommittedModelIsWhatTheGeneratorWrites(@TempDir Path dir) throws Exception {
        TinyClipModel.write(dir);
        for (String f : new String[] {"visual.onnx", "textual.onnx", "model.properties"}) {
            assertArrayEquals(Files.readAllBytes(dir.resolve(f)), Files.readAllBytes(Fixtures.TINY_MODEL.resolve(f)),
                    f + " is stale: run clipd.testing.TinyClipModel");
        }
    }

    @Test
    void onnxRuntimeSeesTheRealExportsInterface() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession visual = env.createSession(Fixtures.TINY_MODEL.resolve("visual.onnx").toString());
             OrtSession textual = env.createSession(Fixtures.TINY_MODEL.resolve("textual.onnx").toString())) {
            assertInterface(visual, OnnxJavaType.FLOAT, new long[] {-1, 3, 256, 256});
            assertInterface(textual, OnnxJavaType.INT64, new long[] {-1, 77});
        }
    }

    private static void assertInterface(OrtSession s, OnnxJavaType inputType, long[] inputShape) throws Exception {
        TensorInfo in = (TensorInfo) s.getInputInfo().get("input").getInfo();
        assertEquals(inputType, in.type);
        assertArrayEquals(inputShape, in.getShape());
        NodeInfo out = s.getOutputInfo().get("output");
        assertArrayEquals(new long[] {-1, TinyClipModel.DIM}, ((TensorInfo) out.getInfo()).getShape());
    }

    @Test
    void batchesGiveTheSameRowsAsSingleRunsAndInputsAreDistinguished() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int pixels = 3 * 256 * 256;
        float[] two = new float[2 * pixels];
        for (int i = 0; i < two.length; i++) {
            two[i] = (float) Math.sin(i * (i < pixels ? 0.001 : 0.0037));
        }
        long[] tokens = new long[2 * 77];
        tokens[0] = 49406;
        tokens[1] = 320;
        tokens[2] = 49407;
        tokens[77] = 49406;
        tokens[78] = 2368;
        tokens[79] = 49407;
        try (OrtSession visual = env.createSession(Fixtures.TINY_MODEL.resolve("visual.onnx").toString());
             OrtSession textual = env.createSession(Fixtures.TINY_MODEL.resolve("textual.onnx").toString())) {
            float[][] batch = run(env, visual, OnnxTensor.createTensor(env, FloatBuffer.wrap(two), new long[] {2, 3, 256, 256}));
            float[][] first = run(env, visual, OnnxTensor.createTensor(env,
                    FloatBuffer.wrap(java.util.Arrays.copyOf(two, pixels)), new long[] {1, 3, 256, 256}));
            assertArrayEquals(first[0], batch[0], 1e-5f);
            assertFalse(java.util.Arrays.equals(batch[0], batch[1]));
            float[][] text = run(env, textual, OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {2, 77}));
            assertFalse(java.util.Arrays.equals(text[0], text[1]));
            assertEquals(TinyClipModel.DIM, text[0].length);
        }
    }

    private static float[][] run(OrtEnvironment env, OrtSession s, OnnxTensor input) throws Exception {
        try (input; OrtSession.Result r = s.run(Map.of("input", input))) {
            return (float[][]) r.get(0).getValue();
        }
    }
}
