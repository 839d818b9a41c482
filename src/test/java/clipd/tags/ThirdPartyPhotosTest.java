package clipd.tags;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tags photos written by cameras, phones and other apps and checks that nothing but clipd's fields changed: the
 * shared corpus (exiftool's, Exiv2's and Pillow's test data) through {@code shared/tools/xmp_check.py}, which runs
 * {@code clipd index --tags} and compares exiftool dumps, warnings, every frame's pixels and the image bytes, in
 * both modes; and generated phone JPEGs the corpus lacks (Ultra HDR, Motion Photo), with the same checker and with
 * the readers that use their secondary data (exiftool's MPImage2, Pillow's frames, the video at the length the
 * XMP gives; the exiftool installed here, 12.57, predates its Google trailer support).
 */
class ThirdPartyPhotosTest {
    private static final Path SHARED = Path.of("..", "shared").toAbsolutePath().normalize();
    private static final Path CORPUS = SHARED.resolve("photos/third-party");

    @TempDir
    static Path checkout;
    @TempDir
    Path tmp;

    /** A checkout for the checker whose ./clipd runs this build's classes (the jar is built after the tests). */
    @BeforeAll
    static void launcher() throws IOException {
        Path args = checkout.resolve("java.args");
        Files.writeString(args, "-cp \"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        Path clipd = checkout.resolve("clipd");
        Files.writeString(clipd, "#!/bin/sh\nexec java @" + args + " clipd.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(clipd, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void embeddingTagsHarmsNoThirdPartyPhoto() throws Exception {
        assertCheckerFindsNoHarm(CORPUS, "embed");
    }

    @Test
    void sidecarTagsHarmNoThirdPartyPhotoOrSidecar() throws Exception {
        assertCheckerFindsNoHarm(CORPUS, "sidecar");
    }

    @Test
    void phonePhotosKeepTheirGainMapsAndVideos() throws Exception {
        Path phones = Files.createDirectories(tmp.resolve("phones"));
        Files.write(phones.resolve("ultrahdr_padded.jpg"), PhoneJpegs.ultraHdr(true));
        Files.write(phones.resolve("ultrahdr.jpg"), PhoneJpegs.ultraHdr(false));
        Files.write(phones.resolve("motion.jpg"), PhoneJpegs.motionPhoto(PhoneJpegs.video(40_000), false));
        Files.write(phones.resolve("motion_padded.jpg"), PhoneJpegs.motionPhoto(PhoneJpegs.video(30_000), true));
        assertCheckerFindsNoHarm(phones, "embed");
    }

    @Test
    void anUltraHdrGainMapStaysWhereTheMpfIndexSays() throws Exception {
        XmpFiles embed = new XmpFiles(XmpFiles.Mode.EMBED, false, false);
        Path padded = tmp.resolve("padded.jpg");
        byte[] before = PhoneJpegs.ultraHdr(true);
        Files.write(padded, before);
        byte[] gainMap = run("exiftool", "-b", "-MPImage2", padded.toString());
        assertTrue(gainMap.length > 100 && new String(gainMap, StandardCharsets.ISO_8859_1).contains("hdrgm:Version"));

        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, embed.retag(padded, List.of("beach", "sunset")).kind());
        byte[] after = Files.readAllBytes(padded);
        assertEquals(before.length, after.length, "the packet was edited within its padding");
        assertEquals(List.of("beach", "sunset"), embed.current(padded).own());
        assertArrayEquals(gainMap, run("exiftool", "-b", "-MPImage2", padded.toString()));
        assertEquals(2, pillowFrames(padded), "Pillow decodes the primary image and the gain map");

        Path tight = tmp.resolve("tight.jpg");
        byte[] tightBefore = PhoneJpegs.ultraHdr(false);
        Files.write(tight, tightBefore);
        XmpFiles.Outcome refused = embed.retag(tight, List.of("beach"));
        assertEquals(XmpFiles.Outcome.Kind.REFUSED, refused.kind());
        assertTrue(refused.detail().contains("multi-picture"), refused.detail());
        assertArrayEquals(tightBefore, Files.readAllBytes(tight));
    }

    @Test
    void aMotionPhotosVideoStaysAtTheEndWithTheLengthItsXmpGives() throws Exception {
        XmpFiles embed = new XmpFiles(XmpFiles.Mode.EMBED, false, false);
        byte[] video = PhoneJpegs.video(50_000);
        Path photo = tmp.resolve("PXL_motion.jpg");
        Files.write(photo, PhoneJpegs.motionPhoto(video, false));
        assertArrayEquals(video, motionPhotoVideo(photo));

        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, embed.retag(photo, List.of("dog")).kind());
        assertArrayEquals(video, motionPhotoVideo(photo), "the video is where its Container item length says");
        assertEquals(List.of("dog"), embed.current(photo).own());

        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, embed.untag(photo).kind());
        assertEquals(List.of(), embed.current(photo).own());
        assertArrayEquals(video, motionPhotoVideo(photo));
    }

    /** The video as Google Photos finds it: the MotionPhoto item's Length bytes at the file's end. */
    private static byte[] motionPhotoVideo(Path photo) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("Item:Semantic=\"MotionPhoto\" Item:Length=\"(\\d+)\"")
                .matcher(XmpFilesAccess.embeddedPacket(photo));
        assertTrue(m.find(), "the XMP has the MotionPhoto item");
        int length = Integer.parseInt(m.group(1));
        byte[] bytes = Files.readAllBytes(photo);
        return Arrays.copyOfRange(bytes, bytes.length - length, bytes.length);
    }

    @Test
    void untagReturnsAPhotoThatHadNoXmpToItsOriginalBytes() throws Exception {
        XmpFiles embed = new XmpFiles(XmpFiles.Mode.EMBED, false, false);
        for (String name : List.of("sc01.jpg", "et_IPTC.jpg", "et_GPS.jpg")) {
            Path photo = tmp.resolve(name);
            copy(name, photo);
            byte[] original = Files.readAllBytes(photo);
            assertEquals(null, XmpFilesAccess.embeddedPacket(photo), name + " has no XMP");
            assertEquals(XmpFiles.Outcome.Kind.WRITTEN, embed.retag(photo, List.of("cat")).kind(), name);
            assertEquals(XmpFiles.Outcome.Kind.WRITTEN, embed.untag(photo).kind(), name);
            assertArrayEquals(original, Files.readAllBytes(photo), name);
        }
    }

    @Test
    void aPersonsIptcKeywordsJoinTheSubjectClipdCreates() throws Exception {
        Path photo = tmp.resolve("iptc.jpg");
        copy("et_IPTC.jpg", photo);
        String iptc = new String(run("exiftool", "-s3", "-sep", "|", "-IPTC:Keywords", photo.toString()),
                StandardCharsets.UTF_8).trim();
        assertTrue(!iptc.isEmpty(), "the corpus photo has IPTC keywords");
        XmpFiles embed = new XmpFiles(XmpFiles.Mode.EMBED, false, false);
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, embed.retag(photo, List.of("cat")).kind());
        List<String> expected = new ArrayList<>(List.of(iptc.split("\\|")));
        expected.add("cat");
        assertEquals(expected, embed.current(photo).keywords(), "the IPTC keywords first, then clipd's");
        assertEquals(List.of("cat"), embed.current(photo).own(), "the IPTC keywords are not claimed");
        String mwg = new String(run("exiftool", "-use", "MWG", "-s3", "-sep", "|", "-MWG:Keywords",
                photo.toString()), StandardCharsets.UTF_8).trim();
        // this photo's IPTC changed after its IPTCDigest was stored, so MWG readers keep preferring IPTC
        assertEquals(iptc, mwg, "an MWG reader still sees the person's keywords");
        String xmpSubject = new String(run("exiftool", "-s3", "-sep", "|", "-XMP-dc:Subject", photo.toString()),
                StandardCharsets.UTF_8).trim();
        assertEquals(String.join("|", expected), xmpSubject, "a reader of XMP sees the person's keywords and clipd's");
    }

    @Test
    void inSidecarModeThePersonsIptcKeywordsJoinTheSidecarsSubjectToo() throws Exception {
        Path photo = tmp.resolve("iptc-sidecar.jpg");
        copy("et_IPTC.jpg", photo);
        byte[] original = Files.readAllBytes(photo);
        String iptc = new String(run("exiftool", "-s3", "-sep", "|", "-IPTC:Keywords", photo.toString()),
                StandardCharsets.UTF_8).trim();
        XmpFiles sidecar = new XmpFiles(XmpFiles.Mode.SIDECAR, false, false);
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, sidecar.retag(photo, List.of("cat")).kind());
        List<String> expected = new ArrayList<>(List.of(iptc.split("\\|")));
        expected.add("cat");
        Path xmp = tmp.resolve("iptc-sidecar.jpg.xmp");
        String subject = new String(run("exiftool", "-s3", "-sep", "|", "-XMP-dc:Subject", xmp.toString()),
                StandardCharsets.UTF_8).trim();
        assertEquals(String.join("|", expected), subject, "a reader of the sidecar sees the person's keywords");
        assertEquals(List.of("cat"), sidecar.current(photo).own(), "the IPTC keywords are not claimed");
        assertArrayEquals(original, Files.readAllBytes(photo), "the photo itself is not touched");
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, sidecar.untag(photo).kind());
        assertTrue(Files.notExists(xmp), "the copies go with clipd's keywords: the sidecar held nothing else");
    }

    private void assertCheckerFindsNoHarm(Path corpus, String mode) throws Exception {
        Path model = Path.of("src/test/resources/models/tiny").toAbsolutePath();
        Process p = new ProcessBuilder("python3", SHARED.resolve("tools/xmp_check.py").toString(),
                checkout.toString(), corpus.toString(), mode, model.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the checker finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("xmp " + mode + ": 0 of "), out);
    }

    /** A copy that may be written (the shared corpus may be laid out read-only). */
    private static void copy(String name, Path to) throws IOException {
        Files.copy(CORPUS.resolve(name), to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static byte[] run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), String.join(" ", command));
        return out;
    }

    private static int pillowFrames(Path photo) throws Exception {
        String code = "import sys\nfrom PIL import Image\nim=Image.open(sys.argv[1])\nn=getattr(im,'n_frames',1)\n"
                + "for i in range(n):\n im.seek(i); im.load()\nprint(n)";
        return Integer.parseInt(new String(run("/usr/bin/python3", "-c", code, photo.toString()),
                StandardCharsets.UTF_8).trim());
    }
}
