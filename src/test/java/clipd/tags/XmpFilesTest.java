package clipd.tags;

import clipd.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XmpFilesTest {
    @TempDir
    Path tmp;

    private Path photo(String name) throws Exception {
        return writable(Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), tmp.resolve(name)));
    }

    private static Path writable(Path file) {
        file.toFile().setWritable(true);
        return file;
    }

    @Test
    void anExistingBasenameSidecarIsUpdatedRatherThanASecondOneCreated() throws Exception {
        Path cat = photo("cat.jpg");
        Files.writeString(tmp.resolve("cat.xmp"), XmpKeywords.parse(null).serialize(false));
        XmpFiles.Outcome o = new XmpFiles(XmpFiles.Mode.SIDECAR, false, false).retag(cat, List.of("cat"));
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, o.kind());
        assertEquals(tmp.resolve("cat.xmp"), o.file());
        assertFalse(Files.exists(tmp.resolve("cat.jpg.xmp")));

        Path dog = photo("dog.jpg");
        assertEquals(tmp.resolve("dog.xmp"), new XmpFiles(XmpFiles.Mode.SIDECAR, true, false)
                .retag(dog, List.of("dog")).file(), "the photo.xmp naming when asked for");
    }

    @Test
    void aPacketTooLargeForOneJpegSegmentFailsAndLeavesThePhotoAlone() throws Exception {
        Path cat = photo("cat.jpg");
        byte[] before = Files.readAllBytes(cat);
        List<String> many = java.util.stream.IntStream.range(0, 2500).mapToObj(i -> "keyword number " + i).toList();
        XmpFiles.Outcome o = new XmpFiles(XmpFiles.Mode.EMBED, false, false).retag(cat, many);
        assertEquals(XmpFiles.Outcome.Kind.FAILED, o.kind());
        assertTrue(o.detail().contains("65"), o.detail());
        assertArrayEquals(before, Files.readAllBytes(cat));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(cat), files.toList(), "no temporary file left");
        }
    }

    @Test
    void aReadOnlyFolderIsSkippedAndAFakeJpegFailsCleanly() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("locked"));
        Path cat = writable(Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), folder.resolve("cat.jpg")));
        folder.toFile().setWritable(false);
        try {
            XmpFiles.Outcome o = new XmpFiles(XmpFiles.Mode.SIDECAR, false, false).retag(cat, List.of("cat"));
            assertEquals(XmpFiles.Outcome.Kind.SKIPPED_READ_ONLY, o.kind(), "even for root, who could write");
            assertFalse(Files.exists(folder.resolve("cat.jpg.xmp")));
        } finally {
            folder.toFile().setWritable(true);
        }
        Path fake = Files.writeString(tmp.resolve("fake.jpg"), "\u00ff\u00d8\u00ff not really a JPEG",
                java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] before = Files.readAllBytes(fake);
        XmpFiles.Outcome o = new XmpFiles(XmpFiles.Mode.EMBED, false, false).retag(fake, List.of("cat"));
        assertEquals(XmpFiles.Outcome.Kind.FAILED, o.kind());
        assertArrayEquals(before, Files.readAllBytes(fake));
    }

    @Test
    void aRawsBasenameSidecarIsNeverWrittenForTheJpegBesideIt() throws Exception {
        Path jpeg = photo("IMG_1.jpg");
        Files.write(tmp.resolve("IMG_1.CR2"), new byte[] {'I', 'I', 42, 0, 16, 0, 0, 0, 'C', 'R', 2, 0});
        Path rawSidecar = tmp.resolve("IMG_1.xmp");
        Files.writeString(rawSidecar, XmpKeywords.parse(null).serialize(false).replace("<rdf:Description",
                "<rdf:Description xmlns:crs=\"http://ns.adobe.com/camera-raw-settings/1.0/\" crs:Exposure2012=\"+0.50\""));
        byte[] raw = Files.readAllBytes(rawSidecar);
        for (boolean basenameNaming : new boolean[] {false, true}) {
            XmpFiles.Outcome o = new XmpFiles(XmpFiles.Mode.SIDECAR, basenameNaming, false)
                    .retag(jpeg, List.of(basenameNaming ? "dog" : "cat"));
            assertEquals(XmpFiles.Outcome.Kind.WRITTEN, o.kind(), o.toString());
            assertEquals(tmp.resolve("IMG_1.jpg.xmp"), o.file(), "IMG_1.xmp is the RAW's (Lightroom's naming)");
            assertArrayEquals(raw, Files.readAllBytes(rawSidecar));
        }
        assertEquals(List.of("dog"), new XmpFiles(XmpFiles.Mode.SIDECAR, true, false).current(jpeg).own());

        Path alone = photo("IMG_2.jpg");
        assertEquals(tmp.resolve("IMG_2.xmp"), new XmpFiles(XmpFiles.Mode.SIDECAR, true, false)
                .retag(alone, List.of("cat")).file(), "with no other file of that name, photo.xmp is the photo's");
    }

    @Test
    void inEmbedModeASidecarThePhotoAlreadyHasGetsTheSameTags() throws Exception {
        Path cat = photo("cat.jpg");
        Path darktable = tmp.resolve("cat.jpg.xmp");
        Files.writeString(darktable, XmpKeywords.parse(null).serialize(false).replace("<rdf:Description",
                "<rdf:Description xmlns:darktable=\"http://darktable.sf.net/\" darktable:xmp_version=\"5\""));
        Path dog = photo("dog.jpg");
        XmpFiles embed = new XmpFiles(XmpFiles.Mode.EMBED, false, false);

        XmpFiles.Outcome o = embed.retag(cat, List.of("cat", "sofa"));
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, o.kind(), o.toString());
        assertEquals(darktable, o.file(), "the sidecar is named, so the watcher knows clipd's write");
        assertEquals(List.of("cat", "sofa"), XmpKeywords.parse(XmpFilesAccess.embeddedPacket(cat)).own());
        assertEquals(List.of("cat", "sofa"), XmpKeywords.parse(Files.readString(darktable)).own());
        assertTrue(Files.readString(darktable).contains("xmp_version"), "darktable's own data stays");

        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, embed.retag(dog, List.of("dog")).kind());
        assertFalse(Files.exists(tmp.resolve("dog.jpg.xmp")), "no sidecar is created in embed mode");

        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, embed.untag(cat).kind());
        assertEquals(List.of(), XmpKeywords.parse(XmpFilesAccess.embeddedPacket(cat)).own());
        assertEquals(List.of(), XmpKeywords.parse(Files.readString(darktable)).own());
    }
}
