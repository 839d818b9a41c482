package clipd.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClipTokenizerTest {
    private static final Path VOCAB = Path.of("../shared/clip/bpe_simple_vocab_16e6.txt.gz");
    /** Ids of the single-digit tokens "0</w>" .. "9</w>". */
    private static final int[] DIGIT_IDS = {271, 272, 273, 274, 275, 276, 277, 278, 279, 280};

    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void loadVocabulary() throws IOException {
        tokenizer = ClipTokenizer.load(VOCAB);
    }

    @Test
    void tokenizesKnownCaptionToPublishedIds() {
        long[] expected = new long[77];
        long[] head = {49406, 320, 1125, 539, 320, 2368, 49407};
        System.arraycopy(head, 0, expected, 0, head.length);
        assertArrayEquals(expected, tokenizer.tokenize("a photo of a cat", 77));
    }

    @Test
    void encodesHelloWorld() {
        assertArrayEquals(new int[] {3306, 1002}, tokenizer.encode("hello world"));
    }

    /**
     * Expected ids come from src/test/python/clip_tokenizer_reference.py (a Python transcription of
     * OpenAI CLIP's simple_tokenizer.py using the `regex` module, NFC instead of ftfy), run once as
     * {@code python3 src/test/python/clip_tokenizer_reference.py ../shared/clip/bpe_simple_vocab_16e6.txt.gz TEXT}.
     */
    static List<Arguments> referenceCases() {
        return List.of(
                Arguments.of("Hello, world!", new int[] {3306, 267, 1002, 256}),
                Arguments.of("2023", new int[] {273, 271, 273, 274}),
                Arguments.of("café crème brûlée", new int[] {15304, 1075, 12138, 614, 711, 127, 119, 75, 13489}),
                Arguments.of("東京タワー", new int[] {48338, 21078, 105, 34941, 2429, 107, 30391}),
                Arguments.of("🐱 cat 👍🏽", new int[] {22979, 2368, 43722}),
                Arguments.of("rock &amp; roll", new int[] {2172, 261, 3341}),
                Arguments.of("&amp;amp;", new int[] {261}),
                Arguments.of("&lt;3 it&#39;s &#x1F600;", new int[] {283, 274, 585, 568, 7334}),
                Arguments.of("&ampx &apos &hellip; &unknown;", new int[] {261, 343, 261, 4089, 338, 959, 261, 8685, 282}),
                Arguments.of("  a\tphoto\n\nof   a\u00a0cat  ", new int[] {320, 1125, 539, 320, 2368}),
                Arguments.of("we're they'll I'd can't WE'RE", new int[] {649, 982, 889, 1342, 328, 1896, 753, 713, 649, 982}),
                Arguments.of("<|startoftext|>hi<|endoftext|>", new int[] {49406, 1883, 49407}),
                Arguments.of("\u001ccat\u001cdog\u001c", new int[] {2368, 472, 1929}),
                Arguments.of("supercalifragilisticexpialidocious aaaaaaaaa",
                        new int[] {1642, 2857, 13093, 2076, 5868, 26850, 835, 639, 38466, 23126, 320}),
                Arguments.of("İstanbul ΟΔΟΣ", new int[] {328, 16384, 11231, 138, 123, 138, 112, 138, 123, 139, 480}),
                Arguments.of("x86_64 e-mail...!!", new int[] {343, 279, 277, 318, 277, 275, 324, 268, 2614, 39915}));
    }

    @ParameterizedTest
    @MethodSource("referenceCases")
    void matchesPythonReference(String text, int[] expected) {
        assertArrayEquals(expected, tokenizer.encode(text));
    }

    @Test
    void normalizesDecomposedAccentsToNfc() {
        assertArrayEquals(new int[] {15304}, tokenizer.encode("cafe\u0301"));
    }

    @Test
    void seventyFiveTokensFitWithoutTruncation() {
        int[] ids = tokenizer.encode(digits(75));
        assertEquals(75, ids.length);
        long[] tokens = tokenizer.tokenize(digits(75), 77);
        assertEquals(ClipTokenizer.START_OF_TEXT, tokens[0]);
        for (int i = 0; i < 75; i++) {
            assertEquals(DIGIT_IDS[i % 10], tokens[i + 1], "position " + (i + 1));
        }
        assertEquals(ClipTokenizer.END_OF_TEXT, tokens[76]);
    }

    @Test
    void seventySixTokensAreTruncatedWithEndLast() {
        long[] tokens = tokenizer.tokenize(digits(76), 77);
        assertEquals(77, tokens.length);
        assertEquals(ClipTokenizer.START_OF_TEXT, tokens[0]);
        for (int i = 0; i < 75; i++) {
            assertEquals(DIGIT_IDS[i % 10], tokens[i + 1], "position " + (i + 1));
        }
        assertEquals(ClipTokenizer.END_OF_TEXT, tokens[76]);
    }

    @Test
    void longTextIsTruncatedToContextLength() {
        long[] tokens = tokenizer.tokenize(digits(300), 77);
        assertEquals(77, tokens.length);
        assertEquals(DIGIT_IDS[4], tokens[75]);
        assertEquals(ClipTokenizer.END_OF_TEXT, tokens[76]);
    }

    @Test
    void shortTextIsZeroPadded() {
        long[] tokens = tokenizer.tokenize("hello world", 8);
        assertArrayEquals(new long[] {49406, 3306, 1002, 49407, 0, 0, 0, 0}, tokens);
    }

    @Test
    void emptyTextIsStartAndEndOnly() {
        assertArrayEquals(new int[0], tokenizer.encode(" \t\n "));
        assertArrayEquals(new long[] {49406, 49407, 0}, tokenizer.tokenize("", 3));
    }

    @Test
    void encodesConsistentlyFromSeveralThreads() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            texts.add("photo number " + i + " of a dog named rex" + i % 7 + " in paris");
        }
        List<int[]> sequential = new ArrayList<>();
        for (String text : texts) {
            sequential.add(tokenizer.encode(text));
        }
        ClipTokenizer fresh = ClipTokenizer.load(VOCAB); // empty cache, so threads race to fill it
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> parallel = new ArrayList<>();
            for (String text : texts) {
                parallel.add(pool.submit(() -> fresh.encode(text)));
            }
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(sequential.get(i), parallel.get(i).get(), texts.get(i));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void missingVocabularyNamesTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-vocab.txt.gz");
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.load(missing));
        assertTrue(e.getMessage().contains("no-such-vocab.txt.gz"), e.getMessage());
    }

    @Test
    void nonGzipVocabularyNamesTheFile(@TempDir Path dir) throws IOException {
        Path plain = Files.writeString(dir.resolve("plain-vocab.txt.gz"), "#version: 0.2\ni n\n");
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.load(plain));
        assertTrue(e.getMessage().contains("plain-vocab.txt.gz"), e.getMessage());
    }

    @Test
    void truncatedVocabularyNamesTheFile(@TempDir Path dir) throws IOException {
        Path shortVocab = gzip(dir.resolve("short-vocab.txt.gz"), "#version: 0.2\ni n\nt h\n");
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.load(shortVocab));
        assertTrue(e.getMessage().contains("short-vocab.txt.gz"), e.getMessage());
    }

    @Test
    void malformedMergeLineNamesTheFileAndLine(@TempDir Path dir) throws IOException {
        StringBuilder text = new StringBuilder("#version: 0.2\n");
        for (int i = 0; i < 48894; i++) {
            text.append(i == 10 ? "lonely" : "a b").append('\n');
        }
        Path bad = gzip(dir.resolve("bad-vocab.txt.gz"), text.toString());
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.load(bad));
        assertTrue(e.getMessage().contains("bad-vocab.txt.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("line 12"), e.getMessage());
    }

    private static String digits(int count) {
        StringBuilder sb = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            sb.append((char) ('0' + i % 10));
        }
        return sb.toString();
    }

    private static Path gzip(Path file, String content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }
}
