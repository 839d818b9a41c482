package clipd.image;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import java.util.Optional;

/**
 * libjpeg-turbo's TurboJPEG library, when the system has it (Debian: libturbojpeg0; macOS: brew install
 * jpeg-turbo): decodes a big JPEG at a fraction of its size in the DCT domain (3/8 of a 12 MP photo is 1500×1125),
 * which costs a fraction of a full decode. This is also the decoder Pillow uses, so at full size its pixels are
 * Pillow's. Without the library, or for what it does not handle (CMYK, damaged files), ImageIO decodes.
 */
final class TurboJpeg {
    private static final int PIXEL_FORMAT_RGB = 0;
    private static final int COLORSPACE_RGB = 0;
    private static final int COLORSPACE_YCBCR = 1;
    private static final int COLORSPACE_GRAY = 2;

    /** The part of the TurboJPEG 2 API clipd calls. */
    interface Library extends com.sun.jna.Library {
        Pointer tjInitDecompress();

        int tjDecompressHeader3(Pointer handle, byte[] jpeg, NativeLong size, IntByReference width,
                                IntByReference height, IntByReference subsampling, IntByReference colorspace);

        int tjDecompress2(Pointer handle, byte[] jpeg, NativeLong size, byte[] rgb, int width, int pitch, int height,
                          int pixelFormat, int flags);

        int tjDestroy(Pointer handle);

        Pointer tjGetScalingFactors(IntByReference count);
    }

    private static final Optional<TurboJpeg> INSTANCE = load();

    private final Library lib;
    /** The scaling factors the library offers (up to 2/1), as {num, denom} pairs, largest first. */
    private final int[][] factors;

    private TurboJpeg(Library lib) {
        this.lib = lib;
        IntByReference count = new IntByReference();
        Pointer p = lib.tjGetScalingFactors(count);
        factors = new int[count.getValue()][];
        for (int i = 0; i < factors.length; i++) {
            factors[i] = new int[] {p.getInt(8L * i), p.getInt(8L * i + 4)};
        }
        java.util.Arrays.sort(factors, (a, b) -> Double.compare((double) b[0] / b[1], (double) a[0] / a[1]));
    }

    /** The library, if this system has it. */
    static Optional<TurboJpeg> get() {
        return INSTANCE;
    }

    private static Optional<TurboJpeg> load() {
        if (Boolean.getBoolean("clipd.noTurboJpeg")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TurboJpeg(Native.load("turbojpeg", Library.class)));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A JPEG's size and whether this library decodes it here; null when its header does not parse. */
    record Header(int width, int height, boolean supported) {
    }

    Header header(byte[] jpeg) {
        Pointer handle = lib.tjInitDecompress();
        try {
            IntByReference w = new IntByReference();
            IntByReference h = new IntByReference();
            IntByReference subsampling = new IntByReference();
            IntByReference colorspace = new IntByReference();
            if (lib.tjDecompressHeader3(handle, jpeg, new NativeLong(jpeg.length), w, h, subsampling, colorspace) != 0) {
                return null;
            }
            int cs = colorspace.getValue();
            return new Header(w.getValue(), h.getValue(),
                    cs == COLORSPACE_RGB || cs == COLORSPACE_YCBCR || cs == COLORSPACE_GRAY);
        } finally {
            lib.tjDestroy(handle);
        }
    }

    /**
     * Decodes at the smallest scale that keeps the short side at least {@code minShortSide} and gives at most
     * {@code maxPixels}; null when the library reports any problem (a damaged or truncated file), which ImageIO then
     * decodes and explains.
     */
    RgbImage decode(byte[] jpeg, Header header, int minShortSide, long maxPixels) {
        int[] factor = factors[factors.length - 1];
        boolean chosen = false;
        for (int[] f : factors) { // from large to small
            if (f[0] > f[1] || (long) scaled(header.width(), f) * scaled(header.height(), f) > maxPixels) {
                continue;
            }
            if (!chosen || Math.min(scaled(header.width(), f), scaled(header.height(), f)) >= minShortSide) {
                factor = f; // the last that fits is the smallest that keeps the short side
                chosen = true;
            }
        }
        int w = scaled(header.width(), factor);
        int h = scaled(header.height(), factor);
        byte[] rgb = new byte[w * h * 3];
        Pointer handle = lib.tjInitDecompress();
        try {
            if (lib.tjDecompress2(handle, jpeg, new NativeLong(jpeg.length), rgb, w, w * 3, h, PIXEL_FORMAT_RGB, 0) != 0) {
                return null;
            }
        } finally {
            lib.tjDestroy(handle);
        }
        int[] pixels = new int[w * h];
        for (int i = 0, o = 0; i < pixels.length; i++, o += 3) {
            pixels[i] = (rgb[o] & 0xff) << 16 | (rgb[o + 1] & 0xff) << 8 | (rgb[o + 2] & 0xff);
        }
        return new RgbImage(w, h, pixels);
    }

    /** TurboJPEG's TJSCALED: the size of one dimension at a scaling factor, rounded up. */
    private static int scaled(int dimension, int[] factor) {
        return (dimension * factor[0] + factor[1] - 1) / factor[1];
    }
}
