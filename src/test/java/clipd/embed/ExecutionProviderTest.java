package clipd.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import clipd.testing.Await;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The execution provider on this machine (Linux, the CPU build of ONNX Runtime, no GPU): CoreML and CUDA fall back
 * to the CPU with one line, the CPU never tries a device, auto picks the CPU. The providers a build has can be
 * claimed (as the GPU build or the macOS one would report them), which makes ONNX Runtime itself refuse the device.
 */
class ExecutionProviderTest {
    private static final Logger OPENER_LOG = Logger.getLogger(SessionOpener.class.getName());
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        OPENER_LOG.addHandler(capture);
        OPENER_LOG.setLevel(Level.ALL);
    }

    @AfterEach
    void stopListening() {
        OPENER_LOG.removeHandler(capture);
        OPENER_LOG.setLevel(null);
    }

    private List<String> lines(Level atLeast) {
        synchronized (logged) {
            return logged.stream().filter(r -> r.getLevel().intValue() >= atLeast.intValue())
                    .map(r -> new java.text.MessageFormat(r.getMessage()).format(r.getParameters())).toList();
        }
    }

    private static float[] pixels(int images) {
        float[] p = new float[images * 3 * 256 * 256];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.sin(i * 0.001);
        }
        return p;
    }

    private static float[][] embedOn(ExecutionProvider provider, long idleMillis) throws Exception {
        try (ClipModel model = new ClipModel(Fixtures.tinyDescriptor(),
                new ClipModel.Options(1, provider, 2, null, idleMillis))) {
            float[][] first = model.embedImages(pixels(2), 2);
            assertEquals(ExecutionProvider.CPU, model.visualProvider());
            assertEquals("cpu", model.providerStatus());
            return first;
        }
    }

    @Test
    void theSettingNamesAreTheOnesUsersWrite() {
        assertEquals(ExecutionProvider.COREML, ExecutionProvider.named(" CoreML ").orElseThrow());
        assertEquals(ExecutionProvider.CUDA, ExecutionProvider.named("cuda").orElseThrow());
        assertTrue(ExecutionProvider.named("gpu").isEmpty());
        assertEquals("auto, cpu, coreml or cuda", ExecutionProvider.choices());
    }

    @Test
    void coremlAndCudaOnThisCpuBuildFallBackToTheCpuWithExactlyOneLine() throws Exception {
        float[][] cpu = embedOn(ExecutionProvider.CPU, 0);
        assertEquals(List.of(), lines(Level.ALL), "the CPU is not a fallback");
        for (ExecutionProvider asked : List.of(ExecutionProvider.COREML, ExecutionProvider.CUDA)) {
            logged.clear();
            float[][] got = embedOn(asked, 0);
            for (int i = 0; i < cpu.length; i++) {
                assertArrayEquals(cpu[i], got[i], 1e-6f);
            }
            List<String> lines = lines(Level.INFO);
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("execution provider " + asked.label() + " not used for visual.onnx: "),
                    lines.get(0));
            assertTrue(lines.get(0).endsWith("; using the CPU"), lines.get(0));
        }
        assertTrue(lines(Level.INFO).get(0).contains("mvn -Pcuda"), "says how to get CUDA: " + lines(Level.INFO));
    }

    @Test
    void aFallbackIsLoggedOnceEvenWhenTheReleasedEncoderIsLoadedAgain() throws Exception {
        try (ClipModel model = new ClipModel(Fixtures.tinyDescriptor(),
                new ClipModel.Options(1, ExecutionProvider.COREML, 2, null, 200))) {
            float[][] first = model.embedImages(pixels(1), 1);
            Await.until(() -> !model.visualLoaded(), "the idle visual encoder to be released", 10);
            float[][] again = model.embedImages(pixels(1), 1);
            assertTrue(model.visualLoaded(), "loaded again on demand");
            assertArrayEquals(first[0], again[0], 1e-6f);
        }
        assertEquals(1, lines(Level.INFO).size(), lines(Level.ALL).toString());
    }

    @Test
    void aDeviceThatOnnxRuntimeRefusesIsCaughtAndTheCpuUsed() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Set<OrtProvider> claimed = EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA, OrtProvider.CORE_ML);
        SessionOpener opener = new SessionOpener(env, 1, claimed, true, true, null);
        for (ExecutionProvider asked : List.of(ExecutionProvider.CUDA, ExecutionProvider.COREML)) {
            logged.clear();
            SessionOpener.Opened opened = opener.open(Fixtures.TINY_MODEL.resolve("visual.onnx"), "input", asked, 2);
            opened.session().close();
            assertEquals(ExecutionProvider.CPU, opened.provider());
            assertEquals(0, opened.fixedBatch());
            List<String> lines = lines(Level.INFO);
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("execution provider " + asked.label() + " not used"), lines.get(0));
            assertFalse(lines.get(0).contains("mvn -Pcuda"), "ONNX Runtime's own reason: " + lines.get(0));
        }
    }

    @Test
    void theCpuNeverTriesADeviceEvenWhereEveryOneIsThere() throws Exception {
        SessionOpener opener = new SessionOpener(OrtEnvironment.getEnvironment(), 1,
                EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA, OrtProvider.CORE_ML), true, true, null);
        assertEquals(ExecutionProvider.CPU, opener.device(ExecutionProvider.CPU));
        // trying CoreML or CUDA on this build would throw and log; the CPU session opens without a word
        try (var s = opener.open(Fixtures.TINY_MODEL.resolve("visual.onnx"), "input", ExecutionProvider.CPU, 2)
                .session()) {
            assertTrue(s.getInputNames().contains("input"));
        }
        assertEquals(List.of(), lines(Level.ALL));
    }

    @Test
    void autoPicksTheCpuHereAndTheDeviceOfEachKindOfMachine() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        SessionOpener here = new SessionOpener(env, 1, null);
        assertEquals(ExecutionProvider.CPU, here.device(ExecutionProvider.AUTO));
        try (var s = here.open(Fixtures.TINY_MODEL.resolve("visual.onnx"), "input", ExecutionProvider.AUTO, 2)
                .session()) {
            assertEquals(List.of(), lines(Level.ALL), "auto found no device and tried none");
        }
        Set<OrtProvider> macBuild = EnumSet.of(OrtProvider.CPU, OrtProvider.CORE_ML);
        Set<OrtProvider> gpuBuild = EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA);
        assertEquals(ExecutionProvider.COREML,
                new SessionOpener(env, 1, macBuild, true, false, null).device(ExecutionProvider.AUTO));
        assertEquals(ExecutionProvider.CUDA,
                new SessionOpener(env, 1, gpuBuild, false, true, null).device(ExecutionProvider.AUTO));
        assertEquals(ExecutionProvider.CPU,
                new SessionOpener(env, 1, gpuBuild, false, false, null).device(ExecutionProvider.AUTO),
                "the GPU build without an NVIDIA driver");
    }

    @Test
    void autoSaysNothingUnlessAskedWhenItsDeviceFails() throws Exception {
        SessionOpener opener = new SessionOpener(OrtEnvironment.getEnvironment(), 1,
                EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA), false, true, null);
        SessionOpener.Opened opened = opener.open(Fixtures.TINY_MODEL.resolve("visual.onnx"), "input",
                ExecutionProvider.AUTO, 2);
        opened.session().close();
        assertEquals(ExecutionProvider.CPU, opened.provider());
        assertEquals(List.of(), lines(Level.INFO));
        assertEquals(1, lines(Level.FINE).size(), "at debug level: " + lines(Level.ALL));
        assertTrue(lines(Level.FINE).get(0).startsWith("execution provider auto (cuda) not used"));
    }
}
