package clipd.embed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Java port of CLIP's byte-level BPE tokenizer (OpenAI CLIP {@code simple_tokenizer.py}, also used by
 * OpenCLIP). Immutable after {@link #load}; safe to share between threads.
 */
public final class ClipTokenizer {
    public static final int START_OF_TEXT = 49406;
    public static final int END_OF_TEXT = 49407;

    private static final int MERGE_COUNT = 49152 - 256 - 2;
    private static final int CACHE_LIMIT = 100_000;

    private static final Pattern TOKEN = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CHARACTER_CLASS);
    // Same set as the Python `regex` module's \s (Unicode White_Space).
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private final char[] byteEncoder;
    private final Map<String, Integer> encoder;
    private final Map<String, Integer> bpeRanks;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(char[] byteEncoder, Map<String, Integer> encoder, Map<String, Integer> bpeRanks) {
        this.byteEncoder = byteEncoder;
        this.encoder = encoder;
        this.bpeRanks = bpeRanks;
        // As in the original, the special tokens bypass BPE through the cache.
        cache.put("<|startoftext|>", new int[] {START_OF_TEXT});
        cache.put("<|endoftext|>", new int[] {END_OF_TEXT});
    }

    /** Loads CLIP's bpe_simple_vocab_16e6.txt.gz (gzip, utf-8). Throws IOException with a clear message if unreadable/malformed. */
    public static ClipTokenizer load(Path vocabGz) throws IOException {
        String text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(vocabGz))) {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in.readAllBytes()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException("CLIP BPE vocabulary " + vocabGz + " is not valid UTF-8", e);
        } catch (IOException e) {
            throw new IOException("Cannot read CLIP BPE vocabulary " + vocabGz + ": " + e, e);
        }
        String[] lines = text.split("\n", -1);
        if (lines.length < MERGE_COUNT + 1) {
            throw new IOException("CLIP BPE vocabulary " + vocabGz + " has " + (lines.length - 1)
                    + " merge lines, expected at least " + MERGE_COUNT);
        }

        char[] byteEncoder = bytesToUnicode();
        List<String> vocab = new ArrayList<>(2 * 256 + MERGE_COUNT + 2);
        for (int b : byteOrder()) {
            vocab.add(String.valueOf(byteEncoder[b]));
        }
        for (int i = 0; i < 256; i++) {
            vocab.add(vocab.get(i) + "</w>");
        }
        Map<String, Integer> bpeRanks = new HashMap<>(2 * MERGE_COUNT);
        for (int rank = 0; rank < MERGE_COUNT; rank++) {
            String[] pair = lines[rank + 1].strip().split("\\s+");
            if (pair.length != 2) {
                throw new IOException("CLIP BPE vocabulary " + vocabGz + ", line " + (rank + 2)
                        + ": expected a merge \"a b\", got \"" + lines[rank + 1] + "\"");
            }
            // put, not putIfAbsent: like Python's dict(zip(...)), a later duplicate wins.
            bpeRanks.put(pair[0] + " " + pair[1], rank);
            vocab.add(pair[0] + pair[1]);
        }
        vocab.add("<|startoftext|>");
        vocab.add("<|endoftext|>");
        Map<String, Integer> encoder = new HashMap<>(2 * vocab.size());
        for (int i = 0; i < vocab.size(); i++) {
            encoder.put(vocab.get(i), i);
        }
        return new ClipTokenizer(byteEncoder, Map.copyOf(encoder), Map.copyOf(bpeRanks));
    }

    /** BPE token ids of text, without start/end tokens. */
    public int[] encode(String text) {
        int[] ids = new int[16];
        int size = 0;
        Matcher m = TOKEN.matcher(clean(text));
        while (m.find()) {
            for (int id : bpe(byteEncode(m.group()))) {
                if (size == ids.length) {
                    ids = Arrays.copyOf(ids, 2 * size);
                }
                ids[size++] = id;
            }
        }
        return Arrays.copyOf(ids, size);
    }

    /** [START, ids..., END] zero-padded to contextLength; when too long, truncated to contextLength with the last slot set to END (OpenCLIP semantics). */
    public long[] tokenize(String text, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be positive: " + contextLength);
        }
        int[] ids = encode(text);
        long[] result = new long[contextLength];
        result[0] = START_OF_TEXT;
        int n = Math.min(ids.length, contextLength - 1);
        for (int i = 0; i < n; i++) {
            result[i + 1] = ids[i];
        }
        if (ids.length + 2 <= contextLength) {
            result[ids.length + 1] = END_OF_TEXT;
        } else {
            result[contextLength - 1] = END_OF_TEXT;
        }
        return result;
    }

    /**
     * whitespace_clean(basic_clean(text)).lower(). ftfy.fix_text is approximated by its NFC step only:
     * its other repairs (mojibake, curly quotes, ligatures, full-width characters) are not reproduced.
     */
    static String clean(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFC);
        s = pythonStrip(HtmlEntities.unescape(HtmlEntities.unescape(s)));
        s = pythonStrip(WHITESPACE.matcher(s).replaceAll(" "));
        return s.toLowerCase(Locale.ROOT);
    }

    /** Python's str.strip(): str.isspace() also covers U+001C..U+001F, which \s does not. */
    private static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private String byteEncode(String token) {
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            chars[i] = byteEncoder[utf8[i] & 0xff];
        }
        return new String(chars);
    }

    private int[] bpe(String token) {
        int[] cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length() - 1; i++) {
            word.add(String.valueOf(token.charAt(i)));
        }
        word.add(token.charAt(token.length() - 1) + "</w>");

        while (word.size() > 1) {
            String first = null;
            String second = null;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = bpeRanks.get(word.get(i) + " " + word.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); ) {
                if (word.get(i).equals(first) && i + 1 < word.size() && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }

        int[] ids = new int[word.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = encoder.get(word.get(i));
        }
        if (cache.size() < CACHE_LIMIT) {
            cache.put(token, ids);
        }
        return ids;
    }

    /** bytes_to_unicode(): printable Latin-1 bytes map to themselves, the rest to U+0100 onwards. */
    private static char[] bytesToUnicode() {
        char[] map = new char[256];
        int n = 0;
        for (int b : byteOrder()) {
            map[b] = isPrintableByte(b) ? (char) b : (char) (256 + n++);
        }
        return map;
    }

    /** The order of bytes_to_unicode()'s keys: the printable bytes ascending, then the others ascending. */
    private static int[] byteOrder() {
        int[] order = new int[256];
        int i = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintableByte(b)) {
                order[i++] = b;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!isPrintableByte(b)) {
                order[i++] = b;
            }
        }
        return order;
    }

    private static boolean isPrintableByte(int b) {
        return (b >= '!' && b <= '~') || (b >= '\u00a1' && b <= '\u00ac') || (b >= '\u00ae' && b <= '\u00ff');
    }
}
