package clipd.cli;

import clipd.embed.ExecutionProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** execution_provider and visual_idle_seconds: flag, then environment, then config file, then the default. */
class ExecutionProviderSettingTest {
    @TempDir
    Path tmp;

    private Settings settings(String config, Map<String, String> env, String... flags) throws Exception {
        Path file = Files.writeString(tmp.resolve("config.properties"), config);
        List<String> words = new java.util.ArrayList<>(List.of("--config", file.toString()));
        words.addAll(List.of(flags));
        return Settings.from(Args.parse(words, Options.SERVE.spec()), env);
    }

    @Test
    void autoAndFiveMinutesByDefault() throws Exception {
        Settings s = settings("", Map.of());
        assertEquals(ExecutionProvider.AUTO, s.executionProvider());
        assertEquals(300_000, s.visualIdleMillis());
        assertEquals(s.dataDir().resolve("coreml-cache"), s.modelOptions().compiledModels());
    }

    @Test
    void theFlagBeatsTheEnvironmentWhichBeatsTheConfigFile() throws Exception {
        assertEquals(ExecutionProvider.COREML, settings("execution_provider = coreml\n", Map.of()).executionProvider());
        assertEquals(ExecutionProvider.CUDA, settings("execution_provider = coreml\n",
                Map.of("CLIPD_EXECUTION_PROVIDER", "CUDA")).executionProvider());
        assertEquals(ExecutionProvider.CPU, settings("execution_provider = coreml\n",
                Map.of("CLIPD_EXECUTION_PROVIDER", "cuda"), "--execution-provider", "cpu").executionProvider());
        assertEquals(12_000, settings("visual_idle_seconds = 12\n", Map.of()).visualIdleMillis());
        assertEquals(0, settings("visual_idle_seconds = 12\n", Map.of(), "--visual-idle-seconds", "0")
                .visualIdleMillis());
    }

    @Test
    void aBadValueNamesWhereItCameFromAndTheChoices() {
        assertEquals("--execution-provider is 'gpu'; say auto, cpu, coreml or cuda",
                assertThrows(UsageException.class, () -> settings("", Map.of(), "--execution-provider", "gpu"))
                        .getMessage());
        assertEquals("CLIPD_EXECUTION_PROVIDER is 'metal'; say auto, cpu, coreml or cuda",
                assertThrows(UsageException.class, () -> settings("",
                        Map.of("CLIPD_EXECUTION_PROVIDER", "metal"))).getMessage());
        String fromFile = assertThrows(UsageException.class, () -> settings("execution_provider = tpu\n",
                Map.of())).getMessage();
        assertTrue(fromFile.endsWith("config.properties line 1: execution_provider is 'tpu'; say auto, cpu, coreml "
                + "or cuda"), fromFile);
        assertThrows(UsageException.class, () -> settings("visual_idle_seconds = -1\n", Map.of()));
    }
}
