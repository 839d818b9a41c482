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
    void aPacketTooLargeForOneJpegSegmentIsRefusedAndLeavesThePhotoAlone() throws Exception {
        Path cat = photo("cat.jpg");
        byte[] before = Files.readAllBytes(cat);
        List<String> many = java.util.stream.IntStream.range(0, 2500).mapToObj(i -> "keyword number " + i).toList();
        XmpFiles.Outcome o = new XmpFiles(XmpFiles.Mode.EMBED, false, false).retag(cat, many);
        assertEquals(XmpFiles.Outcome.Kind.REFUSED, o.kind());
        assertTrue(o.detail().contains("64 KB"), o.detail());
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
}
