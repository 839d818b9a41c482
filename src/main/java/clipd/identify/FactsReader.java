package clipd.identify;

import com.drew.imaging.ImageMetadataReader;
import com.drew.lang.GeoLocation;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifSubIFDDirectory;
import com.drew.metadata.exif.GpsDirectory;
import com.drew.metadata.heif.HeifDirectory;
import com.drew.metadata.xmp.XmpDirectory;
import com.drew.metadata.xmp.XmpReader;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads {@link PhotoFacts} from a photo's bytes (EXIF and XMP through metadata-extractor, pixel size from the image
 * header) and from an XMP sidecar beside it ({@code photo.jpg.xmp} or {@code photo.xmp}) for what the file lacks.
 * Bad metadata (a year 0 date, a GPS position off the globe, a broken EXIF block) is ignored field by field with a
 * debug log: it never costs the photo its place in the index.
 */
public final class FactsReader {
    private static final System.Logger LOG = System.getLogger(FactsReader.class.getName());
    private static final DateTimeFormatter EXIF_DATE = DateTimeFormatter.ofPattern("yyyy:MM:dd HH:mm:ss");
    private static final Map<String, String> TYPES = Map.of("jpeg", "jpeg", "jpg", "jpeg", "png", "png",
            "webp", "webp", "tif", "tiff", "tiff", "tiff", "bmp", "bmp", "gif", "gif", "jpeg2000", "jp2", "pnm", "pnm");

    private FactsReader() {
    }

    public static PhotoFacts read(byte[] bytes, Path file, long modifiedMillis) {
        return read(bytes, file, modifiedMillis, problem -> { });
    }

    /**
     * Reads the facts; metadata over {@link XmpLimits} (the photo's or its sidecar's) is not used, and is reported
     * to {@code damaged} with the reason, once per file.
     */
    public static PhotoFacts read(byte[] bytes, Path file, long modifiedMillis, Consumer<String> damaged) {
        Metadata metadata = metadata(bytes, file, damaged);
        Metadata sidecar = sidecar(file, damaged);
        Taken taken = taken(metadata);
        if (taken == null && sidecar != null) {
            taken = taken(sidecar);
        }
        if (taken == null) {
            LocalDateTime local = LocalDateTime.ofInstant(java.time.Instant.ofEpochMilli(modifiedMillis),
                    ZoneId.systemDefault());
            taken = new Taken(local.toInstant(ZoneOffset.UTC).toEpochMilli(), null, "file");
        }
        double[] gps = gps(metadata);
        if (gps == null && sidecar != null) {
            gps = gps(sidecar);
        }
        ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
        ExifSubIFDDirectory exif = metadata.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
        int orientation = integer(ifd0, ExifIFD0Directory.TAG_ORIENTATION, 1);
        Header header = header(bytes);
        if (header.type == null) {
            header = heif(metadata); // no ImageIO reader for HEIC/AVIF: their boxes say what they are
        }
        boolean turned = orientation >= 5 && orientation <= 8;
        return new PhotoFacts(taken.wallMillis, taken.offsetMinutes, taken.source,
                gps == null ? null : gps[0], gps == null ? null : gps[1],
                text(ifd0, ExifIFD0Directory.TAG_MAKE), text(ifd0, ExifIFD0Directory.TAG_MODEL),
                text(exif, ExifSubIFDDirectory.TAG_LENS_MODEL), orientation >= 1 && orientation <= 8 ? orientation : 1,
                turned ? header.height : header.width, turned ? header.width : header.height, header.type);
    }

    private static Metadata metadata(byte[] bytes, Path file, Consumer<String> damaged) {
        try {
            XmpLimits.checkDepth(bytes);
            return XmpLimits.withDeadline(() -> readMetadata(bytes, file));
        } catch (XmpLimits.DamagedMetadataException e) {
            damaged.accept(e.getMessage());
            return new Metadata();
        }
    }

    private static Metadata readMetadata(byte[] bytes, Path file) {
        try {
            return ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "no readable metadata in {0}: {1}", file, e.toString());
            return new Metadata();
        }
    }

    /** photo.jpg.xmp (digiKam, darktable) or photo.xmp (Lightroom), if either is there. */
    private static Metadata sidecar(Path file, Consumer<String> damaged) {
        for (Path candidate : new Path[] {Sidecars.full(file), Sidecars.basename(file)}) {
            try {
                if (Files.isRegularFile(candidate)) {
                    byte[] packet = Files.readAllBytes(candidate);
                    XmpLimits.checkDepth(packet);
                    return XmpLimits.withDeadline(() -> {
                        Metadata m = new Metadata();
                        new XmpReader().extract(packet, m);
                        return m;
                    });
                }
            } catch (XmpLimits.DamagedMetadataException e) {
                damaged.accept("sidecar " + candidate.getFileName() + ": " + e.getMessage());
                return null;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "unreadable sidecar {0}: {1}", candidate, e.toString());
            }
        }
        return null;
    }

    private record Taken(long wallMillis, Integer offsetMinutes, String source) {
    }

    /** DateTimeOriginal with its offset, else DateTimeDigitized, else the IFD0 date, else XMP's dates. */
    private static Taken taken(Metadata m) {
        ExifSubIFDDirectory exif = m.getFirstDirectoryOfType(ExifSubIFDDirectory.class);
        ExifIFD0Directory ifd0 = m.getFirstDirectoryOfType(ExifIFD0Directory.class);
        Taken t = exifDate(exif, ExifSubIFDDirectory.TAG_DATETIME_ORIGINAL, ExifSubIFDDirectory.TAG_TIME_ZONE_ORIGINAL,
                "exif:DateTimeOriginal");
        if (t == null) {
            t = exifDate(exif, ExifSubIFDDirectory.TAG_DATETIME_DIGITIZED, ExifSubIFDDirectory.TAG_TIME_ZONE_DIGITIZED,
                    "exif:DateTimeDigitized");
        }
        if (t == null) {
            t = exifDate(ifd0, ExifIFD0Directory.TAG_DATETIME, ExifSubIFDDirectory.TAG_TIME_ZONE, "exif:DateTime");
        }
        XmpDirectory xmp = m.getFirstDirectoryOfType(XmpDirectory.class);
        if (t == null && xmp != null) {
            Map<String, String> values = xmp.getXmpProperties();
            for (String key : new String[] {"exif:DateTimeOriginal", "photoshop:DateCreated", "xmp:CreateDate"}) {
                t = isoDate(values.get(key), "xmp " + key);
                if (t != null) {
                    break;
                }
            }
        }
        return t;
    }

    private static Taken exifDate(Directory d, int dateTag, int offsetTag, String source) {
        String raw = text(d, dateTag);
        if (raw == null) {
            return null;
        }
        try {
            LocalDateTime local = LocalDateTime.parse(raw.trim(), EXIF_DATE);
            if (local.getYear() < 1800) {
                throw new DateTimeParseException("year " + local.getYear(), raw, 0);
            }
            return new Taken(local.toInstant(ZoneOffset.UTC).toEpochMilli(), offset(text(d, offsetTag)), source);
        } catch (DateTimeParseException e) {
            LOG.log(System.Logger.Level.DEBUG, "ignoring {0} ''{1}'': {2}", source, raw, e.getMessage());
            return null;
        }
    }

    /** XMP dates are ISO 8601, with or without seconds and offset. */
    private static Taken isoDate(String raw, String source) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            java.time.temporal.TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(raw.trim(),
                    java.time.OffsetDateTime::from, LocalDateTime::from);
            if (parsed instanceof java.time.OffsetDateTime odt) {
                return new Taken(odt.toLocalDateTime().toInstant(ZoneOffset.UTC).toEpochMilli(),
                        odt.getOffset().getTotalSeconds() / 60, source);
            }
            return new Taken(((LocalDateTime) parsed).toInstant(ZoneOffset.UTC).toEpochMilli(), null, source);
        } catch (DateTimeParseException | ClassCastException e) {
            LOG.log(System.Logger.Level.DEBUG, "ignoring {0} ''{1}''", source, raw);
            return null;
        }
    }

    /** "+02:00" → 120; anything else → unknown. */
    private static Integer offset(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            return ZoneOffset.of(raw.trim()).getTotalSeconds() / 60;
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static double[] gps(Metadata m) {
        GpsDirectory gps = m.getFirstDirectoryOfType(GpsDirectory.class);
        GeoLocation location = gps == null ? null : gps.getGeoLocation();
        if (location == null) {
            XmpDirectory xmp = m.getFirstDirectoryOfType(XmpDirectory.class);
            if (xmp == null) {
                return null;
            }
            Double lat = xmpCoordinate(xmp.getXmpProperties().get("exif:GPSLatitude"));
            Double lon = xmpCoordinate(xmp.getXmpProperties().get("exif:GPSLongitude"));
            return lat == null || lon == null ? null : valid(lat, lon);
        }
        return valid(location.getLatitude(), location.getLongitude());
    }

    private static double[] valid(double lat, double lon) {
        if (Double.isNaN(lat) || Double.isNaN(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
            LOG.log(System.Logger.Level.DEBUG, "ignoring GPS position {0},{1}", lat, lon);
            return null;
        }
        return new double[] {lat, lon};
    }

    /** XMP's "48,51.4N" (degrees, decimal minutes, hemisphere) or a plain decimal. */
    private static Double xmpCoordinate(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            String s = raw.trim();
            char hemisphere = Character.toUpperCase(s.charAt(s.length() - 1));
            if ("NSEW".indexOf(hemisphere) < 0) {
                return Double.parseDouble(s);
            }
            String[] parts = s.substring(0, s.length() - 1).split(",");
            double value = Double.parseDouble(parts[0]);
            for (int i = 1; i < parts.length; i++) {
                value += Double.parseDouble(parts[i]) / (i == 1 ? 60 : 3600);
            }
            return hemisphere == 'S' || hemisphere == 'W' ? -value : value;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(Directory d, int tag) {
        if (d == null) {
            return null;
        }
        String s = d.getString(tag);
        return s == null || s.isBlank() ? null : s.trim().replaceAll("\\s+", " ");
    }

    private static int integer(Directory d, int tag, int fallback) {
        Integer i = d == null ? null : d.getInteger(tag);
        return i == null ? fallback : i;
    }

    private record Header(int width, int height, String type) {
    }

    /**
     * HEIC and AVIF: the brand, and the size of the largest image the file holds (its ispe boxes, as
     * metadata-extractor reads them; the largest, since thumbnails and a grid's tiles are smaller than the photo).
     */
    private static Header heif(Metadata metadata) {
        String brand = null;
        int width = 0;
        int height = 0;
        for (HeifDirectory heif : metadata.getDirectoriesOfType(HeifDirectory.class)) {
            if (brand == null && heif.getString(HeifDirectory.TAG_MAJOR_BRAND) != null) {
                brand = heif.getString(HeifDirectory.TAG_MAJOR_BRAND).trim().toLowerCase(Locale.ROOT);
            }
            int w = integer(heif, HeifDirectory.TAG_IMAGE_WIDTH, 0);
            int h = integer(heif, HeifDirectory.TAG_IMAGE_HEIGHT, 0);
            if ((long) w * h > (long) width * height) {
                width = w;
                height = h;
            }
        }
        return brand == null ? new Header(0, 0, null) : new Header(width, height, brand.startsWith("avi") ? "avif" : "heic");
    }

    /** Pixel size and format from the image header, without decoding; zeros and null when unknown. */
    private static Header header(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (readers.hasNext()) {
                ImageReader reader = readers.next();
                try {
                    String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                    reader.setInput(in, true, true);
                    return new Header(reader.getWidth(0), reader.getHeight(0), TYPES.getOrDefault(format, format));
                } finally {
                    reader.dispose();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "no image header: {0}", e.toString());
        }
        return new Header(0, 0, null);
    }
}
