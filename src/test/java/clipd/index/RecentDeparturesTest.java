package clipd.index;

import clipd.store.PhotoRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RecentDeparturesTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final RecentDepartures recent = new RecentDepartures(now::get);

    @Test
    void aDepartureIsTakenOnceWithinItsTimeAndNotAfter() {
        PhotoRecord record = new PhotoRecord("h", 10, 20);
        recent.add("a", "/old/a.jpg", record);
        assertEquals(Map.entry("/old/a.jpg", record), recent.take("a"));
        assertNull(recent.take("a"), "a photo moves once");

        recent.add("b", "/old/b.jpg", record);
        now.addAndGet(TimeUnit.MINUTES.toNanos(RecentDepartures.KEEP_MINUTES) + 1);
        assertNull(recent.take("b"), "forgotten after its time");
    }

    @Test
    void aKeyTwoDepartedPhotosHadIsTrustedForNeither() {
        recent.add("scan.bmp", "/box 1/scan.bmp", new PhotoRecord("h1", 10, 20));
        recent.add("scan.bmp", "/box 2/scan.bmp", new PhotoRecord("h2", 10, 20));
        assertNull(recent.take("scan.bmp"));
    }

    @Test
    void theOldestAreForgottenPastTheBound() {
        for (int i = 0; i <= RecentDepartures.MAX_ENTRIES; i++) {
            recent.add("k" + i, "/p" + i, new PhotoRecord("h" + i, 1, 1));
        }
        assertNull(recent.take("k0"));
        assertEquals("/p1", recent.take("k1").getKey());
    }
}
