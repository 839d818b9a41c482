package clipd.image;

/** An RGB image as packed 0xRRGGBB ints, row-major. */
public record RgbImage(int width, int height, int[] pixels) {
}
