package clipd.identify;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * What a photo's metadata says: when (the local wall-clock time, stored as epoch milliseconds as if it were UTC,
 * so that "June 2023" means June where the photo was taken; the UTC offset when the camera recorded one), where,
 * with what, and its pixel size. Any field may be unknown (null, or 0 for sizes).
 */
public record PhotoFacts(Long takenWallMillis, Integer offsetMinutes, String takenSource, Double latitude,
                         Double longitude, String make, String model, String lens, int orientation, int width,
                         int height, String type) {

    /** ISO 8601: the photo's wall-clock time, with its UTC offset when the camera recorded one; null when unknown. */
    public String takenIso() {
        if (takenWallMillis == null) {
            return null;
        }
        LocalDateTime wall = LocalDateTime.ofEpochSecond(Math.floorDiv(takenWallMillis, 1000), 0, ZoneOffset.UTC);
        return offsetMinutes == null ? wall.toString()
                : wall.atOffset(ZoneOffset.ofTotalSeconds(offsetMinutes * 60)).toString();
    }

    public boolean hasGps() {
        return latitude != null && longitude != null;
    }

    /** Make and model as people say it ("Canon EOS R5", not "Canon Canon EOS R5"); null when unknown. */
    public String camera() {
        if (model == null) {
            return make;
        }
        if (make == null || model.toLowerCase(java.util.Locale.ROOT).startsWith(make.toLowerCase(java.util.Locale.ROOT))) {
            return model;
        }
        return make + " " + model;
    }
}
