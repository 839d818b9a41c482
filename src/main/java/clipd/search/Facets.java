package clipd.search;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the filters can choose from: cameras with their counts (by name, ignoring case), the range of capture dates
 * on the photos' own wall clocks, file types and how many photos carry a position.
 */
public record Facets(int photos, List<Count> cameras, LocalDate firstTaken, LocalDate lastTaken,
                     Map<String, Integer> types, int withGps) {

    public record Count(String name, int count) {
    }

    public static Facets of(VectorIndex index) {
        Map<String, Integer> cameras = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, Integer> types = new TreeMap<>();
        long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
        int[] counts = new int[2];
        index.forEach((path, f) -> {
            counts[0]++;
            if (f == null) {
                return;
            }
            if (f.camera() != null) {
                cameras.merge(f.camera(), 1, Integer::sum);
            }
            if (f.type() != null) {
                types.merge(f.type(), 1, Integer::sum);
            }
            if (f.takenWallMillis() != null) {
                range[0] = Math.min(range[0], f.takenWallMillis());
                range[1] = Math.max(range[1], f.takenWallMillis());
            }
            if (f.hasGps()) {
                counts[1]++;
            }
        });
        return new Facets(counts[0], cameras.entrySet().stream().map(e -> new Count(e.getKey(), e.getValue())).toList(),
                range[0] == Long.MAX_VALUE ? null : wallDate(range[0]),
                range[1] == Long.MIN_VALUE ? null : wallDate(range[1]), Collections.unmodifiableMap(types),
                counts[1]);
    }

    private static LocalDate wallDate(long wallMillis) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(wallMillis, 1000), 0, ZoneOffset.UTC).toLocalDate();
    }
}
