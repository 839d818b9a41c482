package clipd.tags;

import clipd.util.TempFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The one writer of photos and sidecars. A file is replaced so that a crash, a full disk or a failed check at any
 * moment leaves either the old file or the new one, never a mix: the new bytes go to a hidden temporary file in the
 * same folder, are flushed to the disk, read back and checked, get the original's owner, group, mode, extended
 * attributes (ACL included) and, for a photo, modification time, and only then are renamed over it in one step.
 *
 * <p>No lost updates: just before the rename the original must still be the version that was read (same inode,
 * size, modification and change times, same bytes); if a person or another app saved it meanwhile, nothing is
 * written ({@link Changed}), and the caller tries again on its next pass. What remains is the microseconds between
 * that last look and the rename, which POSIX offers no way to close. A new file never replaces one that appeared
 * meanwhile: it is published with {@code link()}, which fails on an existing name.
 *
 * <p>What cannot be kept is refused ({@link Refused}) before anything changes: a symbolic link (the link would be
 * replaced by a file), a file with several hard links (a rename would split them), an owner or attributes that
 * this process cannot give the new file.
 */
final class SafeWriter {
    /** Throws when the bytes as read back from the disk are not what was meant. */
    interface Check {
        void check(byte[] written) throws IOException;
    }

    /** Runs when the new file is ready, just before the last look at the original: tests race an edit there. */
    interface Hook {
        Hook NONE = file -> { };

        void beforeCommit(Path file) throws IOException;
    }

    /** The file cannot be written as it is without changing what it is; nothing was written. */
    static final class Refused extends IOException {
        private final Refusal reason;

        Refused(Refusal reason, String detail) {
            super(detail);
            this.reason = reason;
        }

        Refusal reason() {
            return reason;
        }
    }

    /** The file changed after clipd read it; nothing was written. */
    static final class Changed extends IOException {
        Changed(Path file) {
            super(file.getFileName() + " changed while clipd wrote; will retry");
        }
    }

    /** A file as clipd read it: its bytes, and what tells this version from any later one; bytes null if absent. */
    record Snapshot(Path file, byte[] bytes, Identity identity) {
        boolean exists() {
            return bytes != null;
        }
    }

    /** A version of a file, told apart without reading it. */
    record Identity(Object fileKey, long size, FileTime modified, Object changed, int links, Integer uid,
                    Integer gid, Integer mode, boolean symbolicLink, boolean regular) {
        /** The file's identity, not following a symbolic link; null when there is no file. */
        static Identity of(Path file) throws IOException {
            try {
                Map<String, Object> a = Files.readAttributes(file, "unix:*", LinkOption.NOFOLLOW_LINKS);
                return new Identity(a.get("fileKey"), (Long) a.get("size"), (FileTime) a.get("lastModifiedTime"),
                        a.get("ctime"), (Integer) a.get("nlink"), (Integer) a.get("uid"), (Integer) a.get("gid"),
                        (Integer) a.get("mode"), (Boolean) a.get("isSymbolicLink"), (Boolean) a.get("isRegularFile"));
            } catch (NoSuchFileException e) {
                return null;
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                var a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                return new Identity(a.fileKey(), a.size(), a.lastModifiedTime(), null, 1, null, null, null,
                        a.isSymbolicLink(), a.isRegularFile());
            }
        }

        boolean sameVersion(Identity other) {
            return other != null && Objects.equals(fileKey, other.fileKey) && size == other.size
                    && modified.equals(other.modified) && Objects.equals(changed, other.changed);
        }
    }

    private final Hook hook;

    SafeWriter() {
        this(Hook.NONE);
    }

    SafeWriter(Hook hook) {
        this.hook = hook;
    }

    /** Reads a file that clipd may write later. */
    Snapshot read(Path file) throws IOException {
        Identity before = Identity.of(file);
        if (before == null) {
            return new Snapshot(file, null, null);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Changed(file);
        }
        if (!before.sameVersion(Identity.of(file))) {
            throw new Changed(file);
        }
        return new Snapshot(file, bytes, before);
    }

    /**
     * Replaces the file read as {@code original} with {@code bytes}, or creates it when it did not exist.
     *
     * @param keepModifiedTime give the new file the old one's modification time (photos: their date stays)
     * @param like             for a new file, the file whose owner, group and read/write permissions it takes (its
     *                         photo), so that a sidecar written by a root daemon is its photo owner's; may be null
     */
    void write(Snapshot original, byte[] bytes, boolean keepModifiedTime, Path like, Check check)
            throws IOException {
        Path file = original.file();
        try (TempFiles.Temp held = TempFiles.next(file)) {
            Path temp = held.path();
            writeSynced(temp, bytes);
            check.check(Files.readAllBytes(temp));
            if (original.exists()) {
                refuseUnsafe(original, true);
                keepIdentity(original, temp, keepModifiedTime);
                hook.beforeCommit(file);
                requireUnchanged(original);
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the file system cannot replace files atomically; nothing was written", e);
                }
            } else {
                if (like != null) {
                    resemble(like, temp);
                }
                hook.beforeCommit(file);
                publish(temp, file);
            }
            syncFolder(file.getParent());
        }
    }

    /** Deletes the file read as {@code original}, unless it changed since. */
    void delete(Snapshot original) throws IOException {
        refuseUnsafe(original, false);
        hook.beforeCommit(original.file());
        requireUnchanged(original);
        Files.delete(original.file());
        syncFolder(original.file().getParent());
    }

    /**
     * Moves the file read as {@code from} to {@code to}, which must not exist, unless it changed since. The same
     * inode gets the new name, so owner, mode, times and attributes go with it; across file systems it is copied
     * with all of them, and the original deleted only once the copy is in place.
     */
    void move(Snapshot from, Path to) throws IOException {
        refuseUnsafe(from, false);
        hook.beforeCommit(from.file());
        requireUnchanged(from);
        try {
            Files.createLink(to, from.file());
            Identity moved = Identity.of(to);
            Identity original = Identity.of(from.file());
            if (original == null) { // its folder moved or went meanwhile, with the file: the new name is undone
                Files.deleteIfExists(to);
                throw new Changed(from.file());
            }
            // replaced (not edited in place) since the last look: the new version stays where it is
            if (moved != null && !Objects.equals(moved.fileKey(), original.fileKey())) {
                Files.delete(to);
                throw new Changed(from.file());
            }
            // moved == null: the new name's folder moved or went meanwhile, and the photo it is for with it
        } catch (FileAlreadyExistsException e) {
            throw new Changed(to);
        } catch (NoSuchFileException e) {
            throw e; // the file or the new name's folder moved or went: a copy would not help
        } catch (UnsupportedOperationException | FileSystemException e) {
            try (TempFiles.Temp temp = TempFiles.next(to)) {
                writeSynced(temp.path(), from.bytes());
                keepIdentity(from, temp.path(), true);
                publish(temp.path(), to);
            }
            requireUnchanged(from);
        }
        Files.delete(from.file());
        syncFolder(to.getParent());
        syncFolder(from.file().getParent());
    }

    /**
     * Refuses to replace, move or delete what is not a plain file, and to replace a file with several names (hard
     * links), which would split them. Moving or deleting one name leaves the others as they are: a sidecar
     * clipd's own move left with two names (its folder moved between the link and the unlink) can still go.
     */
    private static void refuseUnsafe(Snapshot original, boolean replacing) throws Refused {
        Path file = original.file();
        Identity identity = original.identity();
        if (identity.symbolicLink()) {
            String target;
            try {
                target = String.valueOf(Files.readSymbolicLink(file));
            } catch (IOException e) {
                target = "elsewhere";
            }
            throw new Refused(Refusal.SYMBOLIC_LINK, file.getFileName() + " is a symbolic link to " + target
                    + "; clipd writes only the file itself, where it is watched, never through a link");
        }
        if (!identity.regular()) {
            throw new Refused(Refusal.NOT_A_FILE, file.getFileName() + " is not a regular file");
        }
        if (replacing && identity.links() > 1) {
            throw new Refused(Refusal.HARD_LINK, file.getFileName() + " has " + identity.links()
                    + " names (hard links); replacing it would split them, so clipd leaves it alone");
        }
    }

    /** Throws {@link Changed} unless the file is still exactly the version read. */
    private static void requireUnchanged(Snapshot original) throws IOException {
        Path file = original.file();
        if (!original.identity().sameVersion(Identity.of(file))) {
            throw new Changed(file);
        }
        byte[] now;
        try {
            now = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Changed(file);
        }
        // the second look at the times catches an edit in place made while the bytes were being compared
        if (!Arrays.equals(now, original.bytes()) || !original.identity().sameVersion(Identity.of(file))) {
            throw new Changed(file);
        }
    }

    /** Gives the new file the original's owner, group, mode, attributes and (if asked) modification time. */
    private static void keepIdentity(Snapshot original, Path temp, boolean keepModifiedTime) throws IOException {
        Identity want = original.identity();
        Map<String, byte[]> wanted;
        try {
            wanted = ExtendedAttributes.read(original.file());
        } catch (NoSuchFileException e) {
            throw new Changed(original.file());
        }
        if (want.uid() != null) {
            Identity have = Identity.of(temp);
            try {
                if (!want.uid().equals(have.uid())) {
                    Files.setAttribute(temp, "unix:uid", want.uid(), LinkOption.NOFOLLOW_LINKS);
                }
                if (!want.gid().equals(have.gid())) {
                    Files.setAttribute(temp, "unix:gid", want.gid(), LinkOption.NOFOLLOW_LINKS);
                }
            } catch (IOException e) {
                throw new Refused(Refusal.OWNER, original.file().getFileName() + " belongs to uid " + want.uid()
                        + ", gid " + want.gid() + ", which clipd (running as uid " + have.uid()
                        + ") cannot give the rewritten file");
            }
            // after the owner, since chown clears set-id bits; only when needed, as FAT refuses any chmod
            if (!want.mode().equals(Identity.of(temp).mode())) {
                Files.setAttribute(temp, "unix:mode", want.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
            }
        }
        try {
            Map<String, byte[]> present = ExtendedAttributes.read(temp);
            for (String name : present.keySet()) {
                if (!wanted.containsKey(name)) {
                    ExtendedAttributes.remove(temp, name); // inherited, say a folder's default ACL
                }
            }
            for (Map.Entry<String, byte[]> e : wanted.entrySet()) {
                if (!Arrays.equals(e.getValue(), present.get(e.getKey()))) {
                    ExtendedAttributes.write(temp, e.getKey(), e.getValue());
                }
            }
        } catch (IOException e) {
            throw new Refused(Refusal.ATTRIBUTES, "the extended attributes of " + original.file().getFileName()
                    + " " + wanted.keySet() + " cannot be given to the rewritten file: " + e.getMessage());
        }
        if (!ExtendedAttributes.same(wanted, ExtendedAttributes.read(temp))) {
            throw new Refused(Refusal.ATTRIBUTES, "the extended attributes of " + original.file().getFileName()
                    + " " + wanted.keySet() + " did not come out the same on the rewritten file");
        }
        Identity made = Identity.of(temp);
        if (!Objects.equals(want.uid(), made.uid()) || !Objects.equals(want.gid(), made.gid())
                || !Objects.equals(want.mode(), made.mode())) {
            throw new Refused(Refusal.OWNER, "the owner, group or permissions of " + original.file().getFileName()
                    + " did not come out the same on the rewritten file");
        }
        if (keepModifiedTime) {
            Files.setLastModifiedTime(temp, want.modified());
        }
    }

    /**
     * A new sidecar gets its photo's owner and group where this process may give them, and its read and write
     * permissions.
     */
    private static void resemble(Path like, Path temp) throws IOException {
        Identity photo = Identity.of(like);
        if (photo == null || photo.uid() == null) {
            return;
        }
        Identity have = Identity.of(temp);
        try {
            if (!photo.uid().equals(have.uid())) {
                Files.setAttribute(temp, "unix:uid", photo.uid(), LinkOption.NOFOLLOW_LINKS);
            }
            if (!photo.gid().equals(have.gid())) {
                Files.setAttribute(temp, "unix:gid", photo.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            // not root: the sidecar is the writer's, as any app's new file would be
        }
        int mode = photo.mode() & 0666 | 0200; // a sidecar of a read-only photo is still one its owner may edit
        if (mode != (have.mode() & 07777)) {
            Files.setAttribute(temp, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Gives a finished temporary file its name, failing if that name appeared meanwhile. */
    private static void publish(Path temp, Path file) throws IOException {
        try {
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException e) {
            throw new Changed(file);
        } catch (UnsupportedOperationException | FileSystemException e) {
            // a file system without hard links (FAT, some network shares): look, then rename
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new Changed(file);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
    }

    /** Makes the rename itself durable; not every system lets a folder be opened for this, which is harmless. */
    private static void syncFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // the rename is done; only its durability across a power cut is up to the file system now
        }
    }
}
