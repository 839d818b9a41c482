package clipd.tags;

import clipd.identify.Sidecars;
import clipd.util.Problems;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.Locale;

/**
 * Where a photo's tags go and how they get there: a sidecar next to it, or the JPEG's own XMP. Existing packets
 * are merged, never replaced; nothing is written when the keywords would not change; every write is atomic and
 * checked before it replaces anything.
 */
public final class XmpFiles {
    public enum Mode { SIDECAR, EMBED, OFF }

    /**
     * What happened to one photo's XMP. CHANGED: the file was edited while clipd wrote, so clipd wrote nothing and
     * tries again on its next pass; REFUSED: clipd could not write the file without changing what it is
     * ({@code refusal} says why, {@code detail} says it for a person).
     */
    public record Outcome(Kind kind, Path file, String detail, Refusal refusal) {
        /** In rising order of what a person must hear about. */
        public enum Kind { UNCHANGED, WRITTEN, WOULD_WRITE, CHANGED, SKIPPED_READ_ONLY, REFUSED, FAILED }

        public Outcome {
            if ((kind == Kind.REFUSED) != (refusal != null)) {
                throw new IllegalArgumentException("a refusal, and only a refusal, has a reason: " + kind);
            }
        }

        public Outcome(Kind kind, Path file, String detail) {
            this(kind, file, detail, null);
        }

        Outcome worse(Outcome other) {
            return other.kind.ordinal() > kind.ordinal() ? other : this;
        }
    }

    private final Mode mode;
    private final boolean basenameSidecar;
    private final boolean dryRun;
    private final SafeWriter writer;

    /**
     * @param basenameSidecar name new sidecars photo.xmp (Lightroom's way) rather than photo.jpg.xmp (digiKam's
     *                        and darktable's)
     * @param dryRun          decide and report, write nothing
     */
    public XmpFiles(Mode mode, boolean basenameSidecar, boolean dryRun) {
        this(mode, basenameSidecar, dryRun, new SafeWriter());
    }

    XmpFiles(Mode mode, boolean basenameSidecar, boolean dryRun, SafeWriter writer) {
        this.mode = mode;
        this.basenameSidecar = basenameSidecar;
        this.dryRun = dryRun;
        this.writer = writer;
    }

    public Mode mode() {
        return mode;
    }

    boolean basenameSidecar() {
        return basenameSidecar;
    }

    /**
     * Makes clipd's keywords in the photo's XMP exactly {@code tags}: inside a JPEG in embed mode, else a sidecar.
     * In embed mode a sidecar the photo already has (an app such as darktable or digiKam reads it rather than the
     * embedded packet) gets the same tags, so that the two never disagree: the JPEG is written only once the
     * sidecar is. None is created.
     */
    public Outcome retag(Path photo, List<String> tags) {
        if (mode == Mode.OFF) {
            return new Outcome(Outcome.Kind.UNCHANGED, photo, "tagging is off");
        }
        SafeWriter.Snapshot jpeg = null;
        if (mode == Mode.EMBED && hasJpegName(photo)) {
            try {
                SafeWriter.Snapshot read = writer.read(photo);
                byte[] bytes = read.exists() ? read.bytes() : new byte[0];
                jpeg = JpegXmp.isJpeg(bytes) && !JpegXmp.hasExtendedXmp(bytes) ? read : null;
            } catch (IOException e) {
                return failed(photo, e);
            }
        }
        if (jpeg == null) {
            return change(photo, tags, null);
        }
        try {
            if (Sidecars.existing(photo) == null) {
                return change(photo, tags, jpeg);
            }
        } catch (IOException e) {
            return failed(photo, e);
        }
        // the sidecar first: when it cannot take the tags, the JPEG does not get them either
        Outcome sidecar = change(photo, tags, null);
        boolean done = sidecar.kind() == Outcome.Kind.WRITTEN || sidecar.kind() == Outcome.Kind.UNCHANGED
                || sidecar.kind() == Outcome.Kind.WOULD_WRITE;
        return done ? sidecar.worse(change(photo, tags, jpeg)) : sidecar;
    }

    /** Removes clipd's keywords from the photo's embedded XMP and its sidecar, whatever the mode. */
    public Outcome untag(Path photo) {
        Outcome result = new Outcome(Outcome.Kind.UNCHANGED, photo, null);
        try {
            SafeWriter.Snapshot jpeg = withClipdKeywords(photo);
            if (jpeg != null) {
                result = result.worse(change(photo, null, jpeg));
            }
            if (Sidecars.existing(photo) != null) {
                result = result.worse(change(photo, null, null));
            }
        } catch (IOException e) {
            result = result.worse(failed(photo, e));
        }
        return result;
    }

    /** The keywords in the photo's XMP now (sidecar, else embedded), and which of them are clipd's. */
    public XmpKeywords current(Path photo) throws IOException {
        Path sidecar = Sidecars.existing(photo);
        if (sidecar != null) {
            return XmpKeywords.parse(text(writer.read(sidecar)));
        }
        byte[] bytes = Files.readAllBytes(photo);
        return XmpKeywords.parse(JpegXmp.isJpeg(bytes) ? JpegXmp.read(bytes) : null);
    }

    /**
     * The photo was renamed or moved: a sidecar of its old name that holds nothing but clipd's data moves with it
     * (or, when the new name has a sidecar already, is deleted, since tagging writes that one). Any other sidecar
     * is a person's file and stays where it is.
     */
    public Outcome photoMoved(Path from, Path to) {
        return leave(from, to);
    }

    /** The photo was deleted: a sidecar that holds nothing but clipd's data goes too; any other stays. */
    public Outcome photoDeleted(Path photo) {
        return leave(photo, null);
    }

    /**
     * A sidecar named for a photo that is not there (photo.jpg.xmp without photo.jpg: left behind when the photo
     * moved without it and its folder moved too, before clipd saw the first move): when it holds nothing but
     * clipd's data it goes, since tagging writes the photo's tags wherever the photo is now; any other stays.
     */
    public Outcome sidecarStranded(Path sidecar) {
        Path photo = Sidecars.photoOf(sidecar);
        if (mode == Mode.OFF || Files.exists(photo, LinkOption.NOFOLLOW_LINKS)
                || !Files.isRegularFile(sidecar, LinkOption.NOFOLLOW_LINKS)) {
            return new Outcome(Outcome.Kind.UNCHANGED, sidecar, null);
        }
        return leaveSidecar(sidecar, null);
    }

    private Outcome leave(Path photo, Path to) {
        if (mode == Mode.OFF || Files.exists(photo, LinkOption.NOFOLLOW_LINKS)) {
            return new Outcome(Outcome.Kind.UNCHANGED, photo, null);
        }
        try {
            Path sidecar = Sidecars.existing(photo);
            if (sidecar == null) {
                return new Outcome(Outcome.Kind.UNCHANGED, photo, null);
            }
            // moved on again (or deleted, or its folder with it) since the scan: tagging writes its tags where it
            // is found next, and this sidecar would stay behind, in no event's way
            return leaveSidecar(sidecar, to == null || Files.exists(to, LinkOption.NOFOLLOW_LINKS) ? to : null);
        } catch (IOException | RuntimeException e) {
            return failed(photo, e);
        }
    }

    /** Moves a sidecar that is only clipd's to the photo's new place ({@code to}), or deletes it (null). */
    private Outcome leaveSidecar(Path sidecar, Path to) {
        try {
            SafeWriter.Snapshot old = writer.read(sidecar);
            XmpKeywords xmp = XmpKeywords.parse(text(old));
            if (xmp.own().isEmpty() || !xmp.untag() || !xmp.isEmpty()) {
                return new Outcome(Outcome.Kind.UNCHANGED, sidecar, "holds more than clipd's keywords");
            }
            Path target = to == null || Sidecars.existing(to) != null ? null : Sidecars.of(to, basenameSidecar);
            if (readOnly(sidecar.getParent()) || readOnly(sidecar)
                    || (target != null && readOnly(target.getParent()))) {
                return new Outcome(Outcome.Kind.SKIPPED_READ_ONLY, sidecar, "read-only");
            }
            if (dryRun) {
                return new Outcome(Outcome.Kind.WOULD_WRITE, sidecar, target == null ? "delete" : "move to " + target);
            }
            if (target != null && !moveOrLose(old, target)) {
                target = null;
            }
            if (target == null) {
                writer.delete(old);
            }
            return new Outcome(Outcome.Kind.WRITTEN, target == null ? sidecar : target, null);
        } catch (IOException | RuntimeException e) {
            return failed(sidecar, e);
        }
    }

    /**
     * Moves a sidecar that is only clipd's to its photo's new place; false when that place's folder moved or went
     * meanwhile, with the photo: tagging writes the photo's tags where it is found next, and the sidecar, left here,
     * would be in no later event's way.
     */
    private boolean moveOrLose(SafeWriter.Snapshot sidecar, Path target) throws IOException {
        try {
            writer.move(sidecar, target);
            return true;
        } catch (NoSuchFileException e) {
            if (Files.isDirectory(target.getParent())) {
                throw e;
            }
            return false;
        }
    }

    /** Changes the JPEG's own XMP when it is given, else the sidecar; tags null removes clipd's. */
    private Outcome change(Path photo, List<String> tags, SafeWriter.Snapshot jpeg) {
        boolean embed = jpeg != null;
        Path target = photo;
        try {
            target = embed ? photo : Sidecars.of(photo, basenameSidecar);
            SafeWriter.Snapshot original = embed ? jpeg : writer.read(target);
            String before = embed ? JpegXmp.read(jpeg.bytes()) : original.exists() ? text(original) : null;
            if (embed && JpegXmp.standardPackets(jpeg.bytes()) > 1) {
                throw new RefusedException(JpegXmp.severalPackets(JpegXmp.standardPackets(jpeg.bytes())));
            }
            if (!embed && before != null && !before.isBlank() && Character.isWhitespace(before.charAt(0))) {
                throw new RefusedException("its sidecar starts with blank space, so exiftool and apps like it do not"
                        + " read it as XMP");
            }
            List<String> iptc = iptcKeywords(photo, jpeg);
            XmpKeywords xmp = XmpKeywords.parse(before);
            String outside = xmp.outsideOwnFields();
            boolean changed = xmp.retag(tags == null ? List.of() : tags, iptc);
            if (!changed) {
                return new Outcome(Outcome.Kind.UNCHANGED, target, null);
            }
            String after = xmp.serialize(embed);
            checkOnlyOwnFieldsChanged(before, after, outside);
            if (readOnly(target.getParent()) || (original.exists() && readOnly(target))) {
                return new Outcome(Outcome.Kind.SKIPPED_READ_ONLY, target, "read-only");
            }
            if (dryRun) {
                return new Outcome(Outcome.Kind.WOULD_WRITE, target, String.join(", ", xmp.own()));
            }
            List<String> expected = xmp.own();
            if (embed) {
                byte[] photoBytes = jpeg.bytes();
                boolean restore = tags == null && xmp.createdByClipdAndEmpty();
                byte[] written = restore ? JpegXmp.remove(photoBytes) : JpegXmp.write(photoBytes, after);
                String intended = JpegXmp.read(written); // with its padding fitted to the segment
                writer.write(jpeg, written, true, null, back -> {
                    JpegXmp.checkIntact(photoBytes, back);
                    String packet = JpegXmp.read(back);
                    if (restore ? packet != null : !packet.equals(intended)) {
                        throw new IOException("the XMP read back is not the one written");
                    }
                    checkKeywords(packet, expected, outside);
                });
            } else if (tags == null && xmp.isEmpty()) {
                writer.delete(original); // a sidecar that held only clipd's keywords
            } else {
                byte[] bytes = after.getBytes(StandardCharsets.UTF_8);
                writer.write(original, bytes, false, photo,
                        back -> checkKeywords(new String(back, StandardCharsets.UTF_8), expected, outside));
            }
            return new Outcome(Outcome.Kind.WRITTEN, target, null);
        } catch (RefusedException e) {
            return new Outcome(Outcome.Kind.REFUSED, target, e.getMessage(), Refusal.METADATA);
        } catch (IOException | RuntimeException e) {
            return failed(target, e);
        }
    }

    /**
     * The person's IPTC keywords of a JPEG, which MWG-reconciling readers (exiftool -use MWG, Lightroom) stop showing
     * once there is a dc:subject: clipd copies them in when it creates one, in the photo or in its sidecar.
     */
    private List<String> iptcKeywords(Path photo, SafeWriter.Snapshot jpeg) throws IOException {
        if (jpeg != null) {
            return JpegXmp.iptcKeywords(jpeg.bytes());
        }
        if (!hasJpegName(photo)) {
            return List.of();
        }
        SafeWriter.Snapshot read = writer.read(photo);
        return read.exists() && JpegXmp.isJpeg(read.bytes()) ? JpegXmp.iptcKeywords(read.bytes()) : List.of();
    }

    private static String text(SafeWriter.Snapshot file) {
        return new String(file.bytes(), StandardCharsets.UTF_8);
    }

    /**
     * Compares the packets before and after the edit outside clipd's fields, twice: as XML (every element,
     * attribute and value, namespaces resolved), and as Adobe's toolkit reads them, which is how metadata-extractor,
     * Lightroom and Exiv2-based apps see them.
     */
    private static void checkOnlyOwnFieldsChanged(String before, String after, String outside) throws IOException {
        if (!XmpKeywords.parse(after).outsideOwnFields().equals(outside)) {
            throw new RefusedException("clipd's edit would change other properties of its XMP");
        }
        List<String> was = AdobeXmpView.outsideOwnFields(before);
        if (was != null && !was.equals(AdobeXmpView.outsideOwnFields(after))) {
            throw new RefusedException("its XMP would read differently in Adobe's XMP toolkit after clipd's edit");
        }
    }

    /**
     * A file or folder nobody may write is one a person protected; clipd respects that even where it could write
     * anyway (as root, which ignores the permission bits).
     */
    private static boolean readOnly(Path p) throws IOException {
        if (!Files.isWritable(p)) {
            return Files.exists(p, LinkOption.NOFOLLOW_LINKS); // gone: what follows fails and says so
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        if (posix == null) {
            return false;
        }
        Set<PosixFilePermission> permissions = posix.readAttributes().permissions();
        return !permissions.contains(PosixFilePermission.OWNER_WRITE)
                && !permissions.contains(PosixFilePermission.GROUP_WRITE)
                && !permissions.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static Outcome failed(Path file, Exception e) {
        if (e instanceof SafeWriter.Refused refused) {
            return new Outcome(Outcome.Kind.REFUSED, file, refused.getMessage(), refused.reason());
        }
        if (e instanceof SafeWriter.Changed) {
            return new Outcome(Outcome.Kind.CHANGED, file, e.getMessage());
        }
        return new Outcome(Outcome.Kind.FAILED, file, Problems.describe(e));
    }

    private static void checkKeywords(String packet, List<String> expected, String outside) throws IOException {
        XmpKeywords back = XmpKeywords.parse(packet);
        if (!back.own().equals(expected)) {
            throw new IOException("read back " + back.own() + " instead of " + expected);
        }
        if (packet != null && !back.outsideOwnFields().equals(outside)) {
            throw new IOException("the XMP read back differs beyond clipd's fields");
        }
    }

    /**
     * JPEGs (by name and content) take the tags inside; every other format gets a sidecar, since writing XMP into
     * it means re-encoding it, and so do JPEGs with extended XMP, which spans segments the rewriter does not manage.
     */
    private static boolean hasJpegName(Path photo) {
        String name = photo.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".jpe");
    }

    /** The photo as read when it is a JPEG whose own XMP holds clipd's keywords, else null. */
    private SafeWriter.Snapshot withClipdKeywords(Path photo) throws IOException {
        SafeWriter.Snapshot read = writer.read(photo);
        try {
            return read.exists() && JpegXmp.isJpeg(read.bytes())
                    && !XmpKeywords.parse(JpegXmp.read(read.bytes())).own().isEmpty() ? read : null;
        } catch (IOException e) {
            return null; // no JPEG, or XMP that does not parse: nothing of clipd's inside
        }
    }
}
