package clipd.identify;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds on reading a photo's metadata. Adobe's xmpcore (inside metadata-extractor) takes time that doubles with
 * every level of {@code rdf:Bag/rdf:li rdf:parseType="Resource"} nesting (measured, 2 cores: 25 elements deep 11 ms,
 * 31 deep 116 ms, 34 deep 1 s, 44 deep 15 s, 30 bag levels "forever") and overflows the stack past ~800 levels. So
 * the nesting of every XMP packet in the bytes is counted first, cheaply and without parsing, and the parse itself
 * runs with a deadline. The deepest packet in the third-party test photos is 14 elements.
 */
public final class XmpLimits {
    /** Element nesting allowed in one XMP packet, x:xmpmeta and rdf:RDF included. */
    public static final int MAX_DEPTH = 24;
    /** Time one file's metadata may take to read; real photos take milliseconds. */
    public static final long DEADLINE_MILLIS = 3000;

    private static final byte[][] STARTS = {ascii("<x:xmpmeta"), ascii("<rdf:RDF")};
    private static final byte[] EXTENSION = ascii("http://ns.adobe.com/xmp/extension/");
    /** After a JPEG APP1 marker of extended XMP: length (2), the name and its NUL, GUID (32), full size, offset. */
    private static final int EXTENSION_HEADER = 2 + 2 + EXTENSION.length + 1 + 32 + 4 + 4;
    /**
     * Parses run here, on daemon threads: a parse past its deadline cannot be stopped from outside and is left to
     * finish (the depth check keeps that to the inputs it cannot see, such as compressed PNG text).
     */
    private static final ExecutorService PARSERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "clipd-metadata");
        t.setDaemon(true);
        return t;
    });

    private XmpLimits() {
    }

    /** Metadata that clipd does not read, with the reason in a few words. */
    public static final class DamagedMetadataException extends Exception {
        public DamagedMetadataException(String message) {
            super(message);
        }
    }

    /** Throws when an XMP packet in {@code bytes} nests deeper than {@link #MAX_DEPTH}. */
    public static void checkDepth(byte[] bytes) throws DamagedMetadataException {
        for (byte[] start : STARTS) {
            for (int at = indexOf(bytes, start, 0); at >= 0; at = indexOf(bytes, start, at + 1)) {
                int depth = depth(bytes, at);
                if (depth > MAX_DEPTH) {
                    throw new DamagedMetadataException("XMP nested more than " + MAX_DEPTH + " levels deep");
                }
            }
        }
    }

    /**
     * The deepest element nesting from {@code from} until the packet closes or the text ends (a byte that XML text
     * cannot hold). Extended XMP continues across JPEG segments: their headers are stepped over.
     */
    static int depth(byte[] b, int from) {
        int depth = 0;
        int deepest = 0;
        for (int i = from; i < b.length; i++) {
            int c = b[i] & 0xff;
            if (c == '<' && i + 1 < b.length) {
                int next = b[i + 1] & 0xff;
                if (next == '/') {
                    if (--depth <= 0) {
                        return deepest;
                    }
                } else if (Character.isLetter(next) || next == '_') {
                    int end = i + 1;
                    while (end < b.length && b[end] != '>' && !binary(b[end] & 0xff)) {
                        end++;
                    }
                    if (end < b.length && b[end] == '>' && b[end - 1] != '/') {
                        deepest = Math.max(deepest, ++depth);
                        if (deepest > MAX_DEPTH) {
                            return deepest;
                        }
                    }
                    i = end - 1;
                }
            } else if (binary(c)) {
                int resume = extensionData(b, i);
                if (resume < 0) {
                    return deepest;
                }
                i = resume - 1;
            }
        }
        return deepest;
    }

    /** Where the data of an extended-XMP JPEG segment starting at {@code at} (0xFF 0xE1) begins, or -1. */
    private static int extensionData(byte[] b, int at) {
        if (at + EXTENSION_HEADER > b.length || (b[at] & 0xff) != 0xff || (b[at + 1] & 0xff) != 0xe1) {
            return -1;
        }
        for (int k = 0; k < EXTENSION.length; k++) {
            if (b[at + 4 + k] != EXTENSION[k]) {
                return -1;
            }
        }
        return at + EXTENSION_HEADER;
    }

    private static boolean binary(int c) {
        return c < 0x09 || c == 0x0b || c == 0x0c || (c > 0x0d && c < 0x20) || c == 0xff;
    }

    /** Runs one parse with {@link #DEADLINE_MILLIS}; a parse that fails with an {@link Error} is damage, too. */
    public static <T> T withDeadline(Callable<T> parse) throws DamagedMetadataException {
        Future<T> result = PARSERS.submit(parse);
        try {
            return result.get(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new DamagedMetadataException("metadata took longer than " + DEADLINE_MILLIS / 1000 + " s to read");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StackOverflowError) {
                throw new DamagedMetadataException("metadata nested too deep to read");
            }
            if (cause instanceof Error error && !(cause instanceof OutOfMemoryError)) {
                throw error;
            }
            throw new DamagedMetadataException("unreadable metadata (" + cause + ")");
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new DamagedMetadataException("interrupted while reading metadata");
        }
    }

    private static int indexOf(byte[] b, byte[] what, int from) {
        outer:
        for (int i = from; i <= b.length - what.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
