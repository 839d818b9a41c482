package clipd.tags;

import clipd.index.FolderScanner;
import clipd.index.SkipReason;
import clipd.testing.Fixtures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one writer keeps what a file is (owner, mode, time, extended attributes, ACL, links) and never loses an edit
 * made while it writes: the edits here are made by a hook that runs between clipd's read and its rename, so the race
 * is hit every time, not by luck. File attributes are set and read back with Debian's setfattr, getfattr and
 * setfacl, as a person would.
 */
class SafeWriterTest {
    @TempDir
    Path tmp;

    private Path photo(String name) throws IOException {
        Path p = Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), tmp.resolve(name));
        p.toFile().setWritable(true);
        return p;
    }

    /** A hook that runs {@code edit} on the first write only, as a person's save that lands inside clipd's write. */
    static SafeWriter racedBy(Edit edit) {
        AtomicInteger calls = new AtomicInteger();
        return new SafeWriter(file -> {
            if (calls.getAndIncrement() == 0) {
                edit.run(file);
            }
        });
    }

    interface Edit {
        void run(Path file) throws IOException;
    }

    @Test
    void anEditSavedWhileClipdWritesAPhotoIsKeptAndTheTagsFollowOnTheNextPass() throws Exception {
        Path cat = photo("cat.jpg");
        // the person's app adds a keyword the way exiftool does: a new file renamed over the photo
        XmpFiles files = new XmpFiles(XmpFiles.Mode.EMBED, false, false, racedBy(file ->
                exiftool("-overwrite_original", "-XMP-dc:Subject+=grandma", file.toString())));
        XmpFiles.Outcome first = files.retag(cat, List.of("cat"));
        assertEquals(XmpFiles.Outcome.Kind.CHANGED, first.kind(), first.toString());
        assertEquals("cat.jpg changed while clipd wrote; will retry", first.detail());
        assertEquals(List.of("grandma"), files.current(cat).keywords(), "the person's edit is what is on disk");
        assertNoTemporaryFiles();

        XmpFiles.Outcome retry = files.retag(cat, List.of("cat"));
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, retry.kind(), retry.toString());
        assertEquals(List.of("grandma", "cat"), files.current(cat).keywords());
    }

    @Test
    void anEditInPlaceThatKeepsSizeAndTimeIsStillSeen() throws Exception {
        Path cat = photo("cat.jpg");
        Path sidecar = tmp.resolve("cat.jpg.xmp");
        exiftool("-XMP-dc:Subject=grandma", "-o", sidecar.toString(), cat.toString());
        byte[] before = Files.readAllBytes(sidecar);
        // an edit in place, of the same length, with the old modification time put back: only the bytes and the
        // inode's change time tell
        XmpFiles files = new XmpFiles(XmpFiles.Mode.SIDECAR, false, false, racedBy(file -> {
            FileTime time = Files.getLastModifiedTime(file);
            String text = Files.readString(file).replace("grandma", "grandpa");
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            }
            Files.setLastModifiedTime(file, time);
        }));
        XmpFiles.Outcome first = files.retag(cat, List.of("cat"));
        assertEquals(XmpFiles.Outcome.Kind.CHANGED, first.kind(), first.toString());
        assertEquals(before.length, Files.size(sidecar));
        assertEquals(List.of("grandpa"), files.current(cat).keywords());
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, files.retag(cat, List.of("cat")).kind());
        assertEquals(List.of("grandpa", "cat"), files.current(cat).keywords());
    }

    @Test
    void aSidecarThatAppearsWhileClipdCreatesOneIsNotReplaced() throws Exception {
        Path cat = photo("cat.jpg");
        String theirs = XmpKeywords.parse(null).serialize(false).replace("<rdf:Description",
                "<rdf:Description xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmp:Rating=\"5\"");
        XmpFiles files = new XmpFiles(XmpFiles.Mode.SIDECAR, false, false, racedBy(file ->
                Files.writeString(file, theirs)));
        XmpFiles.Outcome first = files.retag(cat, List.of("cat"));
        assertEquals(XmpFiles.Outcome.Kind.CHANGED, first.kind(), first.toString());
        assertEquals(theirs, Files.readString(tmp.resolve("cat.jpg.xmp")));
        assertNoTemporaryFiles();
    }

    @Test
    void aRewrittenPhotoKeepsOwnerGroupModeTimeExtendedAttributesAndAcl() throws Exception {
        Assumptions.assumeTrue(isRoot(), "giving a file another owner needs root, as a NAS daemon runs");
        Path cat = photo("cat.jpg");
        Files.setAttribute(cat, "unix:uid", 1234);
        Files.setAttribute(cat, "unix:gid", 1234);
        Files.setAttribute(cat, "unix:mode", 0640);
        run("setfattr", "-n", "user.xdg.tags", "-v", "family,holiday", cat.toString());
        run("setfattr", "-n", "user.rating", "-v", "5", cat.toString());
        run("setfacl", "-m", "u:4321:r", cat.toString());
        Files.setLastModifiedTime(cat, FileTime.fromMillis(1_500_000_000_123L));
        String attributes = attributeDump(cat);
        assertTrue(attributes.contains("system.posix_acl_access") && attributes.contains("user.rating"), attributes);
        Object inode = Files.getAttribute(cat, "unix:ino");

        XmpFiles.Outcome o = new XmpFiles(XmpFiles.Mode.EMBED, false, false).retag(cat, List.of("cat"));
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, o.kind(), o.toString());
        assertFalse(inode.equals(Files.getAttribute(cat, "unix:ino")), "a new file took the photo's place");
        assertEquals(1234, Files.getAttribute(cat, "unix:uid"));
        assertEquals(1234, Files.getAttribute(cat, "unix:gid"));
        assertEquals(0640, (Integer) Files.getAttribute(cat, "unix:mode") & 07777);
        assertEquals(FileTime.fromMillis(1_500_000_000_123L), Files.getLastModifiedTime(cat));
        assertEquals(attributes, attributeDump(cat), "user attributes and ACL as they were");
        assertEquals(List.of("cat"), XmpKeywords.parse(XmpFilesAccess.embeddedPacket(cat)).own());
    }

    @Test
    void aNewSidecarBelongsToThePhotosOwnerAndARewrittenOneKeepsItsOwn() throws Exception {
        Assumptions.assumeTrue(isRoot(), "giving a file another owner needs root");
        Path cat = photo("cat.jpg");
        Files.setAttribute(cat, "unix:uid", 1234);
        Files.setAttribute(cat, "unix:gid", 1234);
        Files.setAttribute(cat, "unix:mode", 0640);
        XmpFiles files = new XmpFiles(XmpFiles.Mode.SIDECAR, false, false);
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, files.retag(cat, List.of("cat")).kind());
        Path sidecar = tmp.resolve("cat.jpg.xmp");
        assertEquals(1234, Files.getAttribute(sidecar, "unix:uid"), "so that its owner's apps can edit it");
        assertEquals(0640, (Integer) Files.getAttribute(sidecar, "unix:mode") & 07777);

        Files.setAttribute(sidecar, "unix:uid", 2000);
        Files.setAttribute(sidecar, "unix:mode", 0600);
        run("setfattr", "-n", "user.note", "-v", "mine", sidecar.toString());
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, files.retag(cat, List.of("dog")).kind());
        assertEquals(2000, Files.getAttribute(sidecar, "unix:uid"));
        assertEquals(0600, (Integer) Files.getAttribute(sidecar, "unix:mode") & 07777);
        assertTrue(attributeDump(sidecar).contains("user.note=\"mine\""), attributeDump(sidecar));
    }

    @Test
    void aPhotoOfAnotherOwnerIsRefusedWhenClipdIsNotRootRatherThanMadeItsOwn() throws Exception {
        Assumptions.assumeTrue(isRoot(), "the test sets up another owner, then runs clipd's writer as nobody");
        Files.setAttribute(tmp, "unix:mode", 0755);
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        Files.setAttribute(shared, "unix:mode", 0777);
        Path cat = Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), shared.resolve("cat.jpg"));
        Files.setAttribute(cat, "unix:uid", 1234);
        Files.setAttribute(cat, "unix:gid", 1234);
        Files.setAttribute(cat, "unix:mode", 0666); // anyone may write it, so nobody could replace it
        byte[] before = Files.readAllBytes(cat);
        // the writer's classes and its libraries, where uid 65534 can read them
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        List<String> classpath = new ArrayList<>(List.of(Path.of("target/classes").toAbsolutePath().toString(),
                Path.of("target/test-classes").toAbsolutePath().toString()));
        for (Class<?> c : List.of(com.sun.jna.Native.class, com.adobe.internal.xmp.XMPMetaFactory.class,
                org.apache.commons.imaging.Imaging.class, org.apache.commons.io.IOUtils.class)) {
            Path jar = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            classpath.add(Files.copy(jar, lib.resolve(jar.getFileName())).toString());
        }
        run("chmod", "-R", "a+rX", lib.toString());
        String out = run("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                "-cp", String.join(":", classpath), RetagMain.class.getName(), "EMBED", cat.toString(), "cat");
        assertTrue(out.startsWith("REFUSED OWNER cat.jpg belongs to uid 1234, gid 1234, which clipd (running as uid "
                + "65534) cannot give the rewritten file"), out);
        assertEquals(1234, Files.getAttribute(cat, "unix:uid"));
        assertArrayEquals(before, Files.readAllBytes(cat));
        try (Stream<Path> files = Files.list(shared)) {
            assertEquals(List.of(cat), files.toList(), "no temporary file left");
        }
    }

    @Test
    void symbolicAndHardLinkedPhotosAreRefusedWithAReasonAndLeftAsTheyWere() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path target = photo("target.jpg");
        Path linked = Files.createDirectories(tmp.resolve("library")).resolve("linked.jpg");
        Files.createSymbolicLink(linked, target);
        Path hard = tmp.resolve("library/hard.jpg");
        Path other = elsewhere.resolve("other-name.jpg");
        Files.copy(target, hard);
        Files.createLink(other, hard);
        byte[] original = Files.readAllBytes(target);
        XmpFiles embed = new XmpFiles(XmpFiles.Mode.EMBED, false, false);

        XmpFiles.Outcome symbolic = embed.retag(linked, List.of("cat"));
        assertEquals(XmpFiles.Outcome.Kind.REFUSED, symbolic.kind(), symbolic.toString());
        assertEquals(Refusal.SYMBOLIC_LINK, symbolic.refusal());
        assertTrue(symbolic.detail().contains("symbolic link to " + target), symbolic.detail());
        assertTrue(Files.isSymbolicLink(linked));
        assertArrayEquals(original, Files.readAllBytes(target));

        XmpFiles.Outcome hardLink = embed.retag(hard, List.of("cat"));
        assertEquals(Refusal.HARD_LINK, hardLink.refusal(), hardLink.toString());
        assertTrue(hardLink.detail().contains("2 names"), hardLink.detail());
        assertEquals(Files.getAttribute(hard, "unix:ino"), Files.getAttribute(other, "unix:ino"), "still one file");
        assertArrayEquals(original, Files.readAllBytes(hard));

        TagStats stats = new TagStats();
        stats.count(symbolic);
        stats.count(hardLink);
        assertEquals(", 2 refused (1 a symbolic link, 1 a hard link)", stats.refusalsAndRetries());
    }

    @Test
    void aSymlinkedSidecarIsNeverFollowedOutOfTheFolder() throws Exception {
        Path library = Files.createDirectories(tmp.resolve("library"));
        Path cat = Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), library.resolve("cat.jpg"));
        cat.toFile().setWritable(true);
        Path outside = Files.writeString(tmp.resolve("outside.xmp"), XmpKeywords.parse(null).serialize(false));
        byte[] before = Files.readAllBytes(outside);
        Files.createSymbolicLink(library.resolve("cat.jpg.xmp"), outside);
        XmpFiles.Outcome o = new XmpFiles(XmpFiles.Mode.SIDECAR, false, false).retag(cat, List.of("cat"));
        assertEquals(Refusal.SYMBOLIC_LINK, o.refusal(), o.toString());
        assertArrayEquals(before, Files.readAllBytes(outside));
        assertTrue(Files.isSymbolicLink(library.resolve("cat.jpg.xmp")));
    }

    @Test
    void aTemporaryFileLeftByAWriteWhoseFolderMovedIsRemovedByTheNextScanOfTheFolder() throws Exception {
        Path album = Files.createDirectories(tmp.resolve("album"));
        Path cat = Files.copy(Fixtures.SHARED_IMAGES.resolve("cat.jpg"), album.resolve("cat.jpg"));
        Path moved = tmp.resolve("moved");
        XmpFiles files = new XmpFiles(XmpFiles.Mode.SIDECAR, false, false, racedBy(file -> Files.move(album, moved)));
        XmpFiles.Outcome o = files.retag(cat, List.of("cat"));
        assertEquals(XmpFiles.Outcome.Kind.FAILED, o.kind(), o.toString());
        assertEquals(1, temporaryFiles().size(), "the write could not delete it by the name it gave it");
        new FolderScanner(FolderScanner.DEFAULT_EXCLUDED_DIRS, false).scan(moved, moved, IGNORING);
        assertNoTemporaryFiles();
        assertTrue(Files.exists(moved.resolve("cat.jpg")));
    }

    @Test
    void aSidecarFollowingItsPhotoIntoAFolderThatMovesMeanwhileGoesInsteadOfStayingBehind() throws Exception {
        Path cat = photo("cat.jpg");
        new XmpFiles(XmpFiles.Mode.SIDECAR, false, false).retag(cat, List.of("cat"));
        Path album = Files.createDirectories(tmp.resolve("album"));
        Path renamed = Files.move(cat, album.resolve("kitty.jpg"));
        XmpFiles files = new XmpFiles(XmpFiles.Mode.SIDECAR, false, false,
                racedBy(file -> Files.move(album, tmp.resolve("moved"))));
        XmpFiles.Outcome o = files.photoMoved(cat, renamed);
        assertEquals(XmpFiles.Outcome.Kind.WRITTEN, o.kind(), o.toString());
        assertFalse(Files.exists(tmp.resolve("cat.jpg.xmp")), "no sidecar stays where no event will look again");
        assertFalse(Files.exists(tmp.resolve("moved/kitty.jpg.xmp")), "tagging writes it where the photo is found");
        assertNoTemporaryFiles();
    }

    private static final FolderScanner.Sink IGNORING = new FolderScanner.Sink() {
        @Override
        public void photo(FolderScanner.Candidate candidate) {
        }

        @Override
        public void skipped(Path path, SkipReason reason, String detail) {
        }

        @Override
        public void unseen(Path path, String reason) {
        }
    };

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(tmp)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".clipd-tmp-")).toList();
        }
    }

    private void assertNoTemporaryFiles() throws IOException {
        assertEquals(List.of(), temporaryFiles());
    }

    private static boolean isRoot() throws IOException {
        return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
    }

    /** Every extended attribute, ACL included, as getfattr prints it (without the file name line). */
    private static String attributeDump(Path file) throws Exception {
        String out = run("getfattr", "--absolute-names", "-h", "-d", "-m", "-", file.toString());
        return out.lines().filter(l -> !l.startsWith("# file:")).reduce("", (a, b) -> a + b + "\n");
    }

    static void exiftool(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("exiftool", "-q", "-q"));
        command.addAll(List.of(args));
        try {
            run(command.toArray(String[]::new));
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
