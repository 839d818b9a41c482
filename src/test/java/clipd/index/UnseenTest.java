package clipd.index;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What the status says was not seen, between and during scans. */
class UnseenTest {
    private final Unseen unseen = new Unseen();
    private final Path library = Path.of("/photos");
    private final Path locked = library.resolve("album b");

    @Test
    void anUnseenFolderStaysListedWhileItIsScannedAgainAndLeavesWhenTheScanSeesIt() {
        unseen.add(locked, "permission denied");
        unseen.rescanning(library);
        assertEquals(List.of(locked + ": permission denied"), unseen.list(), "a scan under way has not seen it yet");
        assertFalse(unseen.covers(locked.resolve("IMG_0.jpg")), "the scan decides what is gone");
        unseen.add(locked, "permission denied");
        unseen.scanned(library);
        assertEquals(List.of(locked + ": permission denied"), unseen.list());

        unseen.rescanning(locked);
        unseen.scanned(locked); // readable again
        assertEquals(List.of(), unseen.list());
    }

    @Test
    void aForgottenFolderIsNotListedEvenDuringALaterScan() {
        unseen.add(locked, "permission denied");
        unseen.forget(locked);
        unseen.rescanning(library);
        assertEquals(List.of(), unseen.list());
    }
}
