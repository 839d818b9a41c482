package clipd.tags;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * JPEGs as phones write them, which the shared corpus lacks: an Ultra HDR photo (a gain map JPEG after the primary
 * image, addressed by an MPF index, with hdrgm XMP in both) and a Google Motion Photo (an MP4 appended after the
 * image, its length in the XMP's Container:Directory). Built from ImageIO's plain JPEGs, the layouts as Android's
 * libultrahdr and Google Camera write them: APP0, APP1 XMP, APP2 MPF, then the image.
 */
final class PhoneJpegs {
    static final String GAIN_MAP_XMP = """
            <x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 5.1.2">
              <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
                <rdf:Description rdf:about="" xmlns:hdrgm="http://ns.adobe.com/hdr-gain-map/1.0/"
                    hdrgm:Version="1.0" hdrgm:GainMapMin="0" hdrgm:GainMapMax="2.3" hdrgm:Gamma="1"
                    hdrgm:OffsetSDR="0" hdrgm:OffsetHDR="0" hdrgm:HDRCapacityMin="0" hdrgm:HDRCapacityMax="2.3"
                    hdrgm:BaseRenditionIsHDR="False"/>
              </rdf:RDF>
            </x:xmpmeta>""";

    private PhoneJpegs() {
    }

    /** The primary image and its gain map; {@code padded} gives the primary's XMP room to grow, as Adobe's does. */
    static byte[] ultraHdr(boolean padded) throws IOException {
        // full size and three channels (libultrahdr writes such maps too): Pillow 9 decodes every MPO frame with
        // the primary image's size and mode
        byte[] gainMap = withSegments(plainJpeg(64, 48, BufferedImage.TYPE_INT_RGB, 2), xmpSegment(GAIN_MAP_XMP));
        String directory = """
                   <Container:Directory>
                    <rdf:Seq>
                     <rdf:li rdf:parseType="Resource">
                      <Container:Item Item:Semantic="Primary" Item:Mime="image/jpeg"/>
                     </rdf:li>
                     <rdf:li rdf:parseType="Resource">
                      <Container:Item Item:Semantic="GainMap" Item:Mime="image/jpeg" Item:Length="%d"/>
                     </rdf:li>
                    </rdf:Seq>
                   </Container:Directory>
                """.formatted(gainMap.length);
        String xmp = primaryXmp(" xmlns:hdrgm=\"http://ns.adobe.com/hdr-gain-map/1.0/\" hdrgm:Version=\"1.0\"",
                directory, padded);
        byte[] primary = plainJpeg(64, 48, BufferedImage.TYPE_INT_RGB, 1);
        byte[] xmpSegment = xmpSegment(xmp);
        int mpfLength = 4 + 4 + 50 + 32;
        int primaryLength = primary.length + xmpSegment.length + mpfLength;
        int mpfTiffStart = 2 + jfifLength(primary) + xmpSegment.length + 4 + 4;
        byte[] mpf = mpfSegment(primaryLength, gainMap.length, primaryLength - mpfTiffStart);
        byte[] withMpf = withSegments(primary, xmpSegment, mpf);
        return concat(withMpf, gainMap);
    }

    /** A motion photo: the JPEG, then {@code video}. */
    static byte[] motionPhoto(byte[] video, boolean padded) throws IOException {
        String directory = """
                   <Container:Directory>
                    <rdf:Seq>
                     <rdf:li rdf:parseType="Resource">
                      <Container:Item Item:Mime="image/jpeg" Item:Semantic="Primary" Item:Length="0" Item:Padding="0"/>
                     </rdf:li>
                     <rdf:li rdf:parseType="Resource">
                      <Container:Item Item:Mime="video/mp4" Item:Semantic="MotionPhoto" Item:Length="%d"/>
                     </rdf:li>
                    </rdf:Seq>
                   </Container:Directory>
                """.formatted(video.length);
        String xmp = primaryXmp(" xmlns:GCamera=\"http://ns.google.com/photos/1.0/camera/\" GCamera:MotionPhoto=\"1\""
                + " GCamera:MotionPhotoVersion=\"1\" GCamera:MotionPhotoPresentationTimestampUs=\"0\"", directory, padded);
        return concat(withSegments(plainJpeg(64, 48, BufferedImage.TYPE_INT_RGB, 3), xmpSegment(xmp)), video);
    }

    /** A small MP4: an ftyp box and an mdat box of random bytes. */
    static byte[] video(int dataBytes) {
        byte[] data = new byte[dataBytes];
        new Random(7).nextBytes(data);
        ByteBuffer b = ByteBuffer.allocate(24 + 8 + dataBytes);
        b.putInt(24).put("ftypisom".getBytes(StandardCharsets.ISO_8859_1)).putInt(0x200)
                .put("isommp41".getBytes(StandardCharsets.ISO_8859_1));
        b.putInt(8 + dataBytes).put("mdat".getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    private static String primaryXmp(String attributes, String directory, boolean padded) {
        return "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Adobe XMP Core 5.1.2\">\n"
                + " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                + "  <rdf:Description rdf:about=\"\"\n"
                + "    xmlns:Container=\"http://ns.google.com/photos/1.0/container/\"\n"
                + "    xmlns:Item=\"http://ns.google.com/photos/1.0/container/item/\"" + attributes + ">\n"
                + directory
                + "  </rdf:Description>\n"
                + " </rdf:RDF>\n"
                + "</x:xmpmeta>\n"
                + (padded ? JpegXmp.padding(2048) : "")
                + "<?xpacket end=\"w\"?>";
    }

    private static byte[] plainJpeg(int w, int h, int type, int seed) throws IOException {
        BufferedImage image = new BufferedImage(w, h, type);
        Random random = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, (x * 4 + random.nextInt(8)) << 16 | (y * 5) << 8 | (x + y) * 2);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        return out.toByteArray();
    }

    private static int jfifLength(byte[] jpeg) {
        return (jpeg[2] & 0xff) == 0xff && (jpeg[3] & 0xff) == 0xe0 ? 2 + ((jpeg[4] & 0xff) << 8 | jpeg[5] & 0xff) : 0;
    }

    /** The JPEG with the segments inserted after its SOI and APP0. */
    private static byte[] withSegments(byte[] jpeg, byte[]... segments) {
        int at = 2 + jfifLength(jpeg);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, at);
        for (byte[] s : segments) {
            out.writeBytes(s);
        }
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
    }

    private static byte[] xmpSegment(String packet) {
        byte[] id = "http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = packet.getBytes(StandardCharsets.UTF_8);
        return segment(0xe1, concat(id, body));
    }

    /** An MPF index (big-endian, as CIPA DC-007 lays it out) of the primary image and one more. */
    private static byte[] mpfSegment(int primaryLength, int secondLength, int secondOffset) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + 2 + 3 * 12 + 4 + 32);
        b.put("MPF\0".getBytes(StandardCharsets.ISO_8859_1));
        b.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
        b.putShort((short) 3);
        b.putShort((short) 0xb000).putShort((short) 7).putInt(4).put("0100".getBytes(StandardCharsets.ISO_8859_1));
        b.putShort((short) 0xb001).putShort((short) 4).putInt(1).putInt(2);
        b.putShort((short) 0xb002).putShort((short) 7).putInt(32).putInt(50);
        b.putInt(0);
        b.putInt(0x030000).putInt(primaryLength).putInt(0).putShort((short) 0).putShort((short) 0);
        b.putInt(0).putInt(secondLength).putInt(secondOffset).putShort((short) 0).putShort((short) 0);
        return segment(0xe2, b.array());
    }

    private static byte[] segment(int marker, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + payload.length);
        b.put((byte) 0xff).put((byte) marker).putShort((short) (payload.length + 2)).put(payload);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
