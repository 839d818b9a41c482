package clipd.image;

/** Package-private decoder steps, for tests elsewhere. */
public final class ImageDecoderAccess {
    private ImageDecoderAccess() {
    }

    public static int orientation(byte[] bytes) {
        return ImageDecoder.exifOrientation(bytes);
    }
}
