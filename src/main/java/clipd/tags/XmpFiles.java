package clipd.tags;

import clipd.util.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    /** What happened to one photo's XMP. */
    public record Outcome(Kind kind, Path file, String detail) {
        /** In rising order of what a person must hear about. */
        public enum Kind { UNCHANGED, WRITTEN, WOULD_WRITE, SKIPPED_READ_ONLY, REFUSED, FAILED }

        Outcome worse(Outcome other) {
            return other.kind.ordinal() > kind.ordinal() ? other : this;
        }
    }

    private final Mode mode;
    private final boolean basenameSidecar;
    private final boolean dryRun;

    /**
     * @param basenameSidecar name new sidecars photo.xmp (Lightroom's way) rather than photo.jpg.xmp (digiKam's
     *                        and darktable's)
     * @param dryRun          decide and report, write nothing
     */
    public XmpFiles(Mode mode, boolean basenameSidecar, boolean dryRun) {
        this.mode = mode;
        this.basenameSidecar = basenameSidecar;
        this.dryRun = dryRun;
    }

    public Mode mode() {
        return mode;
    }

    boolean basenameSidecar() {
        return basenameSidecar;
    }

    /** Makes clipd's keywords in the photo's XMP exactly {@code tags}: inside a JPEG in embed mode, else a sidecar. */
    public Outcome retag(Path photo, List<String> tags) {
        if (mode == Mode.OFF) {
            return new Outcome(Outcome.Kind.UNCHANGED, photo, "tagging is off");
        }
        byte[] jpeg = null;
        if (mode == Mode.EMBED && hasJpegName(photo)) {
            try {
                byte[] bytes = Files.readAllBytes(photo);
                jpeg = JpegXmp.isJpeg(bytes) && !JpegXmp.hasExtendedXmp(bytes) ? bytes : null;
            } catch (IOException e) {
                return failed(photo, e);
            }
        }
        return change(photo, tags, jpeg);
    }

    /** Removes clipd's keywords from the photo's embedded XMP and its sidecar, whatever the mode. */
    public Outcome untag(Path photo) {
        Outcome result = new Outcome(Outcome.Kind.UNCHANGED, photo, null);
        byte[] jpeg = withClipdKeywords(photo);
        if (jpeg != null) {
            result = result.worse(change(photo, null, jpeg));
        }
        if (existingSidecar(photo) != null) {
            result = result.worse(change(photo, null, null));
        }
        return result;
    }

    /** The keywords in the photo's XMP now (sidecar, else embedded), and which of them are clipd's. */
    public XmpKeywords current(Path photo) throws IOException {
        Path sidecar = existingSidecar(photo);
        if (sidecar != null) {
            return XmpKeywords.parse(Files.readString(sidecar, StandardCharsets.UTF_8));
        }
        byte[] bytes = Files.readAllBytes(photo);
        return XmpKeywords.parse(JpegXmp.isJpeg(bytes) ? JpegXmp.read(bytes) : null);
    }

    /** Changes the JPEG's own XMP when its bytes are given, else the sidecar; tags null removes clipd's. */
    private Outcome change(Path photo, List<String> tags, byte[] photoBytes) {
        boolean embed = photoBytes != null;
        Path target = embed ? photo : sidecarFor(photo);
        try {
            boolean exists = Files.exists(target);
            if (embed && JpegXmp.standardPackets(photoBytes) > 1) {
                throw new RefusedException(JpegXmp.severalPackets(JpegXmp.standardPackets(photoBytes)));
            }
            String before = embed ? JpegXmp.read(photoBytes)
                    : exists ? Files.readString(target, StandardCharsets.UTF_8) : null;
            if (!embed && before != null && !before.isBlank() && Character.isWhitespace(before.charAt(0))) {
                throw new RefusedException("its sidecar starts with blank space, so exiftool and apps like it do not"
                        + " read it as XMP");
            }
            List<String> iptc = embed ? JpegXmp.iptcKeywords(photoBytes) : List.of();
            XmpKeywords xmp = XmpKeywords.parse(before);
            String outside = xmp.outsideOwnFields();
            boolean changed = xmp.retag(tags == null ? List.of() : tags, iptc);
            if (!changed) {
                return new Outcome(Outcome.Kind.UNCHANGED, target, null);
            }
            String after = xmp.serialize(embed);
            checkOnlyOwnFieldsChanged(before, after, outside);
            if (readOnly(target.getParent()) || (exists && readOnly(target))) {
                return new Outcome(Outcome.Kind.SKIPPED_READ_ONLY, target, "read-only");
            }
            if (dryRun) {
                return new Outcome(Outcome.Kind.WOULD_WRITE, target, String.join(", ", xmp.own()));
            }
            List<String> expected = xmp.own();
            if (embed) {
                boolean restore = tags == null && xmp.createdByClipdAndEmpty();
                byte[] written = restore ? JpegXmp.remove(photoBytes) : JpegXmp.write(photoBytes, after);
                String intended = JpegXmp.read(written); // with its padding fitted to the segment
                AtomicFiles.write(photo, written, true, back -> {
                    JpegXmp.checkIntact(photoBytes, back);
                    String packet = JpegXmp.read(back);
                    if (restore ? packet != null : !packet.equals(intended)) {
                        throw new IOException("the XMP read back is not the one written");
                    }
                    checkKeywords(packet, expected, outside);
                });
            } else if (tags == null && xmp.isEmpty()) {
                AtomicFiles.delete(target); // a sidecar that held only clipd's keywords
            } else {
                byte[] bytes = after.getBytes(StandardCharsets.UTF_8);
                AtomicFiles.write(target, bytes, false,
                        back -> checkKeywords(new String(back, StandardCharsets.UTF_8), expected, outside));
            }
            return new Outcome(Outcome.Kind.WRITTEN, target, null);
        } catch (RefusedException e) {
            return new Outcome(Outcome.Kind.REFUSED, target, e.getMessage());
        } catch (IOException | RuntimeException e) {
            return failed(target, e);
        }
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
            return true;
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
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new Outcome(Outcome.Kind.FAILED, file, message);
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

    /** The photo's bytes when it is a JPEG whose own XMP holds clipd's keywords, else null. */
    private static byte[] withClipdKeywords(Path photo) {
        try {
            byte[] bytes = Files.readAllBytes(photo);
            return JpegXmp.isJpeg(bytes) && !XmpKeywords.parse(JpegXmp.read(bytes)).own().isEmpty() ? bytes : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The sidecar in use (photo.jpg.xmp first, then photo.xmp), else where a new one goes. */
    Path sidecarFor(Path photo) {
        Path existing = existingSidecar(photo);
        return existing != null ? existing : basenameSidecar ? basenameSidecar(photo) : fullSidecar(photo);
    }

    static Path existingSidecar(Path photo) {
        for (Path p : new Path[] {fullSidecar(photo), basenameSidecar(photo)}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static Path fullSidecar(Path photo) {
        return photo.resolveSibling(photo.getFileName() + ".xmp");
    }

    private static Path basenameSidecar(Path photo) {
        String name = photo.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return photo.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".xmp");
    }
}
