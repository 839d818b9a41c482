package clipd.identify;

import clipd.testing.ExifPhotos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FactsReaderTest {
    @TempDir
    Path dir;

    private static long wall(String isoLocal) {
        return LocalDateTime.parse(isoLocal).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    @Test
    void readsDateWithOffsetPlaceCameraAndSize() throws Exception {
        byte[] jpeg = ExifPhotos.withExif(ExifPhotos.jpeg(1, 300, 200), new ExifPhotos.Exif(
                "2023:06:30 23:30:00", "+02:00", 48.8566, 2.3522, "Canon", "Canon EOS R5", "RF24-105mm F4 L IS USM"));
        PhotoFacts f = FactsReader.read(jpeg, dir.resolve("paris.jpg"), 0);
        assertEquals(wall("2023-06-30T23:30:00"), f.takenWallMillis());
        assertEquals(120, f.offsetMinutes());
        assertEquals("exif:DateTimeOriginal", f.takenSource());
        assertEquals(48.8566, f.latitude(), 1e-4);
        assertEquals(2.3522, f.longitude(), 1e-4);
        assertEquals("Canon EOS R5", f.camera(), "the model already names the make");
        assertEquals("RF24-105mm F4 L IS USM", f.lens());
        assertEquals(300, f.width());
        assertEquals(200, f.height());
        assertEquals("jpeg", f.type());
    }

    @Test
    void badDatesFallBackFieldByFieldToTheFileTime() throws Exception {
        byte[] jpeg = ExifPhotos.withExif(ExifPhotos.jpeg(2, 64, 64), new ExifPhotos.Exif(
                "0000:00:00 00:00:00", null, null, null, "FUJIFILM", "X-T4", null));
        long mtime = wall("2020-02-29T12:00:00");
        PhotoFacts f = FactsReader.read(jpeg, dir.resolve("broken.jpg"), mtime);
        assertEquals("file", f.takenSource());
        assertEquals("FUJIFILM X-T4", f.camera(), "the other fields survive a bad date");
        assertNull(f.latitude());
        PhotoFacts garbage = FactsReader.read(new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3}, dir.resolve("x.jpg"), mtime);
        assertEquals("file", garbage.takenSource(), "unreadable metadata never fails the photo");
    }

    @Test
    void anXmpSidecarFillsWhatThePhotoLacks() throws Exception {
        Path photo = ExifPhotos.write(dir.resolve("scan.jpg"), ExifPhotos.jpeg(3, 80, 60));
        Files.writeString(dir.resolve("scan.jpg.xmp"), """
                <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
                <rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/"
                  exif:DateTimeOriginal="2019-05-04T10:00:00+01:00" exif:GPSLatitude="51,30.0N"
                  exif:GPSLongitude="0,7.5W"/></rdf:RDF></x:xmpmeta>""");
        PhotoFacts f = FactsReader.read(Files.readAllBytes(photo), photo, 0);
        assertEquals(wall("2019-05-04T10:00:00"), f.takenWallMillis());
        assertEquals(60, f.offsetMinutes());
        assertEquals(51.5, f.latitude(), 1e-9);
        assertEquals(-0.125, f.longitude(), 1e-9);
    }

    @Test
    void heicPhotosCarryTheirTypeAndSize() throws Exception {
        Path bee = clipd.testing.Fixtures.SHARED_PHOTOS.resolve("images heic/bee.heic");
        PhotoFacts f = FactsReader.read(Files.readAllBytes(bee), bee, 0);
        assertEquals("heic", f.type());
        assertEquals(384, f.width(), "as heif-info reports it");
        assertEquals(256, f.height());
    }
}
