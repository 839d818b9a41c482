package clipd.http;

import clipd.util.PrivateFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The token file is trusted only when it is its owner's alone and long enough to be a secret. */
class AccessTokenTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aNewDataDirectoryIs0700AndItsToken0600() throws Exception {
        Path data = tmp.resolve("a/b/data");
        AccessToken token = AccessToken.loadOrCreate(data);
        assertEquals("rwx------", mode(data));
        assertEquals("rw-------", mode(data.resolve(AccessToken.FILE_NAME)));
        assertEquals(64, token.value().length());
        assertEquals(token.value(), AccessToken.loadOrCreate(data).value(), "a good token is kept");
        assertEquals(token.value(), AccessToken.read(data).orElseThrow().value());
    }

    @Test
    void anOlderWideDataDirectoryIsNarrowed() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        AccessToken.loadOrCreate(data);
        assertEquals("rwx------", mode(data));
    }

    @Test
    void aTokenFileOthersCouldReadOrWriteOrThatIsShortIsReplaced() throws Exception {
        String good = "ab".repeat(32);
        for (String mode : new String[] {"rw-r--r--", "rw-rw----", "rw----rw-", "r--r--r--"}) {
            Path data = Files.createDirectories(tmp.resolve("mode-" + mode.replace('-', '_')));
            Path file = Files.writeString(data.resolve(AccessToken.FILE_NAME), good);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
            String now = AccessToken.loadOrCreate(data).value();
            assertNotEquals(good, now, mode);
            assertEquals("rw-------", mode(file), mode);
            assertEquals(now, Files.readString(file).trim());
        }
        Path shortOne = Files.createDirectories(tmp.resolve("short"));
        Files.writeString(shortOne.resolve(AccessToken.FILE_NAME), "1234");
        Files.setPosixFilePermissions(shortOne.resolve(AccessToken.FILE_NAME), PrivateFiles.FILE);
        assertEquals(64, AccessToken.loadOrCreate(shortOne).value().length());

        Path linked = Files.createDirectories(tmp.resolve("linked"));
        Path elsewhere = Files.writeString(tmp.resolve("planted"), good);
        Files.setPosixFilePermissions(elsewhere, PrivateFiles.FILE);
        Files.createSymbolicLink(linked.resolve(AccessToken.FILE_NAME), elsewhere);
        assertNotEquals(good, AccessToken.loadOrCreate(linked).value(), "a link to a planted file");
        assertFalse(Files.isSymbolicLink(linked.resolve(AccessToken.FILE_NAME)));
        assertEquals(good, Files.readString(elsewhere), "the link's target is left alone");
    }

    @Test
    void aTokenFileOfAnotherOwnerIsReplaced() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PrivateFiles.uid() == 0, "needs root to give a file away");
        Path data = Files.createDirectories(tmp.resolve("theirs"));
        Path file = Files.writeString(data.resolve(AccessToken.FILE_NAME), "cd".repeat(32));
        Files.setPosixFilePermissions(file, PrivateFiles.FILE);
        Files.setAttribute(file, "unix:uid", 65534);
        assertNotEquals("cd".repeat(32), AccessToken.loadOrCreate(data).value());
        assertTrue(PrivateFiles.isOurs(file));
    }

    @Test
    void photoIdsDependOnTheInstallsSecret() throws Exception {
        PhotoIds one = new PhotoIds(AccessToken.loadOrCreate(tmp.resolve("one")));
        PhotoIds two = new PhotoIds(AccessToken.loadOrCreate(tmp.resolve("two")));
        assertEquals(one.idOf("/photos/a.jpg"), one.idOf("/photos/a.jpg"), "stable");
        assertNotEquals(one.idOf("/photos/a.jpg"), two.idOf("/photos/a.jpg"));
        assertNotEquals(one.idOf("/photos/a.jpg"), one.idOf("/photos/b.jpg"));
        assertTrue(one.idOf("/photos/a.jpg").matches("[0-9a-f]{32}"));
    }
}
