package clipd.search;

import clipd.identify.PhotoFacts;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Which photos a search may return, by when, where and with what. Dates are compared on the photo's own wall clock
 * ("June 2023" is June where it was taken) and may be partial: {@code after} keeps photos from the start of the
 * given year, month or day on, {@code before} those from before its start, so {@code after 2023-06, before
 * 2023-07} is June. Applied during the scan, so a narrow filter still fills its top k.
 */
public record PhotoFilter(Long afterWallMillis, Long beforeWallMillis, String camera, Near near, String folder,
                          String type, Boolean hasGps) {
    public static final PhotoFilter NONE = new PhotoFilter(null, null, null, null, null, null, null);
    /** The file types the index records (see FactsReader), and the other names people use for them. */
    public static final List<String> TYPES = List.of("jpeg", "png", "webp", "tiff", "bmp", "gif", "jp2", "pnm",
            "heic", "avif");
    private static final Map<String, String> TYPE_ALIASES = Map.of("jpg", "jpeg", "tif", "tiff", "heif", "heic",
            "jpeg2000", "jp2");
    private static final double EARTH_RADIUS_KM = 6371.0088;

    /** A circle on the globe. */
    public record Near(double latitude, double longitude, double radiusKm) {
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    public boolean test(String path, PhotoFacts f) {
        if (folder != null && !path.startsWith(folder)) {
            return false;
        }
        if (afterWallMillis == null && beforeWallMillis == null && camera == null && near == null && type == null
                && hasGps == null) {
            return true;
        }
        if (f == null) {
            return false;
        }
        Long taken = f.takenWallMillis();
        if (afterWallMillis != null && (taken == null || taken < afterWallMillis)) {
            return false;
        }
        if (beforeWallMillis != null && (taken == null || taken >= beforeWallMillis)) {
            return false;
        }
        if (camera != null && (f.camera() == null || !f.camera().toLowerCase(Locale.ROOT).contains(camera))) {
            return false;
        }
        if (type != null && !type.equals(f.type())) {
            return false;
        }
        if (hasGps != null && hasGps != f.hasGps()) {
            return false;
        }
        return near == null || f.hasGps() && distanceKm(near.latitude, near.longitude, f.latitude(), f.longitude())
                <= near.radiusKm;
    }

    /** Great-circle distance (haversine). */
    static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    /**
     * A filter from named values, as the CLI options and HTTP parameters give them: after, before, camera, near
     * (lat,lon,km), folder (a path prefix), type (jpeg, png, heic, …) and has_gps (true/false).
     */
    public static PhotoFilter parse(Map<String, String> values) throws QueryException {
        return parse(values, UnaryOperator.identity());
    }

    /** @param nameOf how the caller spells a value's name in an error: "after" in the API, "--after" in the CLI */
    public static PhotoFilter parse(Map<String, String> values, UnaryOperator<String> nameOf) throws QueryException {
        String near = values.get("near");
        String folder = values.get("folder");
        String hasGps = values.get("has_gps");
        if (hasGps != null && !hasGps.equals("true") && !hasGps.equals("false")) {
            throw new QueryException(nameOf.apply("has_gps") + " is true or false, not '" + hasGps + "'");
        }
        return new PhotoFilter(
                start(values.get("after"), nameOf.apply("after")),
                start(values.get("before"), nameOf.apply("before")),
                blankToNull(values.get("camera"), true),
                near == null || near.isBlank() ? null : near(near, nameOf.apply("near")),
                folder == null || folder.isBlank() ? null : folder.endsWith("/") ? folder : folder + "/",
                type(blankToNull(values.get("type"), true), nameOf.apply("type")),
                hasGps == null ? null : Boolean.valueOf(hasGps));
    }

    private static String type(String raw, String name) throws QueryException {
        if (raw == null) {
            return null;
        }
        String type = TYPE_ALIASES.getOrDefault(raw, raw);
        if (!TYPES.contains(type)) {
            throw new QueryException(name + " is '" + raw + "'; say one of " + String.join(", ", TYPES)
                    + " (jpg and tif are jpeg and tiff)");
        }
        return type;
    }

    private static String blankToNull(String s, boolean lower) {
        return s == null || s.isBlank() ? null : lower ? s.trim().toLowerCase(Locale.ROOT) : s.trim();
    }

    /** The first instant (wall clock, as epoch millis) of a year, month or day. */
    private static Long start(String raw, String name) throws QueryException {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String s = raw.trim();
        try {
            LocalDate date = switch (s.length()) {
                case 4 -> LocalDate.of(Integer.parseInt(s), 1, 1);
                case 7 -> YearMonth.parse(s).atDay(1);
                default -> LocalDate.parse(s);
            };
            return date.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new QueryException(name + " takes a date like 2023, 2023-06 or 2023-06-15, not '" + raw + "'");
        }
    }

    private static Near near(String raw, String name) throws QueryException {
        String[] parts = raw.split(",");
        try {
            if (parts.length == 3) {
                double lat = Double.parseDouble(parts[0].trim());
                double lon = Double.parseDouble(parts[1].trim());
                double km = Double.parseDouble(parts[2].trim());
                if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && km > 0) {
                    return new Near(lat, lon, km);
                }
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new QueryException(name + " takes latitude,longitude,radius_km, like 48.85,2.35,10; not '" + raw + "'");
    }
}
