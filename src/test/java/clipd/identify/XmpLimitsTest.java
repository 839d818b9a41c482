package clipd.identify;

import clipd.testing.ExifPhotos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metadata that would hang xmpcore or overflow the stack is recognised before it is parsed. */
public class XmpLimitsTest {
    private static final Path THIRD_PARTY = Path.of("../shared/photos/third-party").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    /** An XMP packet whose keyword list nests {@code levels} times, each level a Bag of parseType=Resource items. */
    public static String nestedPacket(int levels) {
        StringBuilder s = new StringBuilder("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
                + "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" "
                + "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:subject>");
        s.append("<rdf:Bag><rdf:li rdf:parseType=\"Resource\"><dc:title>".repeat(levels));
        s.append("deep");
        s.append("</dc:title></rdf:li></rdf:Bag>".repeat(levels));
        return s.append("</dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>").toString();
    }

    /** {@code jpeg} with an APP1 XMP segment right after SOI, as cameras and editors place it. */
    public static byte[] withXmp(byte[] jpeg, String packet) {
        byte[] body = ("http://ns.adobe.com/xap/1.0/\0" + packet).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xff);
        out.write(0xe1);
        out.write((body.length + 2) >> 8);
        out.write((body.length + 2) & 0xff);
        out.writeBytes(body);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    @Test
    void aPacketNested30LevelsIsReportedInsteadOfParsedForever() throws Exception {
        byte[] jpeg = withXmp(ExifPhotos.jpeg(1, 64, 48), nestedPacket(30));
        List<String> damage = new ArrayList<>();
        PhotoFacts facts = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> FactsReader.read(jpeg, dir.resolve("deep.jpg"), 0, damage::add));
        assertEquals(List.of("XMP nested more than " + XmpLimits.MAX_DEPTH + " levels deep"), damage);
        assertEquals(64, facts.width(), "the pixels' facts are still read");
    }

    @Test
    void aQueryImageWithDeepXmpIsDecodedAtOnce() throws Exception {
        byte[] jpeg = withXmp(ExifPhotos.jpeg(1, 64, 48), nestedPacket(30)); // the orientation is read from it
        clipd.image.RgbImage image = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> new clipd.image.ImageDecoder(150_000_000L, 1024).decode(jpeg));
        assertEquals(64, image.width());
    }

    @Test
    void aPacketNested1000LevelsDoesNotOverflowTheStack() throws Exception {
        byte[] jpeg = withXmp(ExifPhotos.jpeg(2, 64, 48), nestedPacket(1000));
        List<String> damage = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> FactsReader.read(jpeg, dir.resolve("deeper.jpg"), 0, damage::add));
        assertEquals(1, damage.size());
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> clipd.image.ImageDecoderAccess.orientation(jpeg));
    }

    @Test
    void aDeepSidecarIsReportedAndThePhotoStillRead() throws Exception {
        Path photo = ExifPhotos.write(dir.resolve("p.jpg"), ExifPhotos.jpeg(3, 64, 48));
        Files.writeString(dir.resolve("p.jpg.xmp"), nestedPacket(30));
        List<String> damage = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> FactsReader.read(Files.readAllBytes(photo), photo, 0, damage::add));
        assertEquals(1, damage.size());
        assertTrue(damage.get(0).startsWith("sidecar p.jpg.xmp: "), damage.get(0));
    }

    @Test
    void aPacketJustWithinTheLimitIsParsedQuickly() throws Exception {
        int levels = (XmpLimits.MAX_DEPTH - 4) / 3; // x:xmpmeta, rdf:RDF, rdf:Description, dc:subject + 3 a level
        byte[] jpeg = withXmp(ExifPhotos.jpeg(4, 64, 48), nestedPacket(levels));
        assertDoesNotThrow(() -> XmpLimits.checkDepth(jpeg));
        List<String> damage = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(10), // milliseconds on an idle machine
                () -> FactsReader.read(jpeg, dir.resolve("ok.jpg"), 0, damage::add));
        assertEquals(List.of(), damage);
    }

    @Test
    void noThirdPartyPhotoOrSidecarIsOverTheLimits() throws Exception {
        int files = 0;
        try (Stream<Path> all = Files.list(THIRD_PARTY)) {
            for (Path f : all.filter(p -> !p.getFileName().toString().matches(".*\\.(md|tsv)")).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                assertDoesNotThrow(() -> XmpLimits.checkDepth(bytes), f.toString());
                List<String> damage = new ArrayList<>();
                FactsReader.read(bytes, dir.resolve(f.getFileName()), 0, damage::add);
                assertEquals(List.of(), damage, f.toString());
                files++;
            }
        }
        assertTrue(files > 40, files + " files");
    }
}
