package io.djlquant.zoo;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;

/**
 * Converts any {@link Image} into the network input used in training: grayscale, resized to 28x28,
 * centred on a 32x32 black canvas, replicated to 3 channels and normalised as {@code (pixel / 255 -
 * mean) / std}.
 *
 * <p>All arithmetic is plain Java, so the result does not depend on the engine that runs the model.
 * For an image that is already 28x28 gray (as Fashion-MNIST) no resampling happens and the tensor
 * equals the training tensor exactly.
 */
public final class ImageConversion {

    /**
     * Largest image accepted (64 Mpixel, e.g. 8192x8192). Conversion copies the pixels twice (ARGB
     * ints and gray floats), so a larger image would cost gigabytes of heap for a 28x28 input; it
     * is refused with a message instead of risking an OutOfMemoryError.
     */
    public static final long MAX_PIXELS = 1L << 26;

    private final int sourceSize;
    private final int paddedSize;
    private final int channels;
    private final float mean;
    private final float std;

    /**
     * Creates a conversion.
     *
     * @param sourceSize the side the image is resized to (28 for Fashion-MNIST)
     * @param paddedSize the side after centred padding (at least {@code sourceSize})
     * @param channels 1 or 3 (the gray plane is replicated)
     * @param mean the normalisation mean on the [0, 1] scale
     * @param std the normalisation standard deviation, positive
     */
    public ImageConversion(int sourceSize, int paddedSize, int channels, float mean, float std) {
        if (sourceSize < 1 || paddedSize < sourceSize) {
            throw new IllegalArgumentException(
                    "need 1 <= sourceSize <= paddedSize, got " + sourceSize + " and " + paddedSize);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (!(std > 0) || !Float.isFinite(mean)) {
            throw new IllegalArgumentException("bad normalisation mean " + mean + " std " + std);
        }
        this.sourceSize = sourceSize;
        this.paddedSize = paddedSize;
        this.channels = channels;
        this.mean = mean;
        this.std = std;
    }

    /**
     * Returns the CHW shape of one converted image.
     *
     * @return {@code {channels, paddedSize, paddedSize}}
     */
    public long[] shape() {
        return new long[] {channels, paddedSize, paddedSize};
    }

    /**
     * Converts an image into a float32 CHW array in {@code manager}.
     *
     * @param image any DJL image
     * @param manager the manager owning the new array
     * @return the network input without batch axis
     */
    public NDArray toNDArray(Image image, NDManager manager) {
        return manager.create(toFloats(image), new ai.djl.ndarray.types.Shape(shape()));
    }

    /**
     * Converts an image into CHW floats.
     *
     * @param image any DJL image
     * @return {@code channels * paddedSize * paddedSize} values
     */
    public float[] toFloats(Image image) {
        if (image == null) {
            throw new IllegalArgumentException("image must not be null");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        if (w < 1 || h < 1) {
            throw new IllegalArgumentException("image has no pixels: " + w + "x" + h);
        }
        if ((long) w * h > MAX_PIXELS) {
            throw new IllegalArgumentException(
                    "image of "
                            + w
                            + "x"
                            + h
                            + " pixels exceeds the limit of "
                            + MAX_PIXELS
                            + " pixels; scale it down first (the network sees "
                            + sourceSize
                            + "x"
                            + sourceSize
                            + ")");
        }
        float[] gray = resize(grayPixels(image, w, h), w, h, sourceSize);
        int plane = paddedSize * paddedSize;
        float[] out = new float[channels * plane];
        // Padding is background (0) before normalisation, as in the training data.
        float background = (0f - mean) / std;
        java.util.Arrays.fill(out, 0, plane, background);
        int offset = (paddedSize - sourceSize) / 2;
        for (int y = 0; y < sourceSize; y++) {
            for (int x = 0; x < sourceSize; x++) {
                float v = gray[y * sourceSize + x] / 255f;
                out[(y + offset) * paddedSize + x + offset] = (v - mean) / std;
            }
        }
        for (int c = 1; c < channels; c++) {
            System.arraycopy(out, 0, out, c * plane, plane);
        }
        return out;
    }

    /** Gray levels 0..255 (luma, alpha composited over black), row-major. */
    private static float[] grayPixels(Image image, int w, int h) {
        Object wrapped = image.getWrappedImage();
        float[] gray = new float[w * h];
        if (wrapped instanceof BufferedImage) {
            BufferedImage b = (BufferedImage) wrapped;
            if (isGraySamples(b)) {
                return graySamples(b, w, h);
            }
            int[] argb = b.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                gray[i] = luma(argb[i]);
            }
            return gray;
        }
        // Other image factories (e.g. OpenCV): read the RGB bytes through DJL, into a JavaQuant
        // array, so that no other engine is needed (without PyTorch DJL's default is RPC).
        try (NDManager manager = NDManager.newBaseManager(DjlQuantModelZoo.QUANTIZED_ENGINE)) {
            byte[] rgb = image.toNDArray(manager, Image.Flag.COLOR).toByteArray();
            if (rgb.length != 3 * w * h) {
                throw new IllegalArgumentException(
                        "expected "
                                + 3 * w * h
                                + " RGB bytes for a "
                                + w
                                + "x"
                                + h
                                + " image, got "
                                + rgb.length);
            }
            for (int i = 0; i < gray.length; i++) {
                int r = rgb[3 * i] & 0xFF;
                int g = rgb[3 * i + 1] & 0xFF;
                int bl = rgb[3 * i + 2] & 0xFF;
                gray[i] = Math.round(0.299f * r + 0.587f * g + 0.114f * bl);
            }
            return gray;
        }
    }

    /**
     * Whether the image stores gray levels directly (a gray colour model, not a palette): 8- and
     * 16-bit gray files as ImageIO reads them (TYPE_BYTE_GRAY, TYPE_USHORT_GRAY, gray + alpha).
     * Java's gray colour space is linear, so {@code getRGB} would gamma-encode the levels to sRGB
     * (level 128 becomes 186): the samples are read instead, as the training data holds them.
     */
    static boolean isGraySamples(BufferedImage b) {
        ColorModel cm = b.getColorModel();
        int bands = b.getRaster().getNumBands();
        return !(cm instanceof IndexColorModel)
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && bands == (cm.hasAlpha() ? 2 : 1);
    }

    /** Gray levels 0..255 from the raster samples, alpha composited over black. */
    private static float[] graySamples(BufferedImage b, int w, int h) {
        WritableRaster raster = b.getRaster();
        int[] levels = raster.getSamples(0, 0, w, h, 0, (int[]) null);
        int bits = raster.getSampleModel().getSampleSize(0);
        int[] alpha =
                b.getColorModel().hasAlpha()
                        ? raster.getSamples(0, 0, w, h, 1, (int[]) null)
                        : null;
        int alphaBits = alpha == null ? 8 : raster.getSampleModel().getSampleSize(1);
        double levelMax = (1L << bits) - 1;
        double alphaMax = (1L << alphaBits) - 1;
        float[] gray = new float[w * h];
        for (int i = 0; i < gray.length; i++) {
            // 8-bit samples are the levels themselves; deeper ones are rounded to the nearest level
            float y = bits == 8 ? levels[i] : Math.round(levels[i] * 255 / levelMax);
            if (alpha != null && alpha[i] != alphaMax) {
                y = Math.round(y * alpha[i] / (float) alphaMax);
            }
            gray[i] = y;
        }
        return gray;
    }

    // ITU-R 601 luma rounded to an integer level, so a gray pixel keeps its exact value.
    static float luma(int argb) {
        int a = argb >>> 24;
        int r = (argb >> 16) & 0xFF;
        int g = (argb >> 8) & 0xFF;
        int b = argb & 0xFF;
        float y = Math.round(0.299f * r + 0.587f * g + 0.114f * b);
        return a == 255 ? y : Math.round(y * a / 255f);
    }

    /**
     * Resizes a gray plane to {@code size x size}: unchanged if already that size, box (area)
     * averaging when shrinking, bilinear with half-pixel centres when enlarging.
     */
    static float[] resize(float[] src, int w, int h, int size) {
        if (w == size && h == size) {
            return src;
        }
        float[] horizontal = resizeAxis(src, w, h, size, true);
        return resizeAxis(horizontal, size, h, size, false);
    }

    // One separable pass along x (horizontal) or y.
    private static float[] resizeAxis(float[] src, int w, int h, int out, boolean horizontal) {
        int in = horizontal ? w : h;
        int lines = horizontal ? h : w;
        int outW = horizontal ? out : w;
        int outH = horizontal ? h : out;
        float[] dst = new float[outW * outH];
        double scale = (double) in / out;
        for (int line = 0; line < lines; line++) {
            for (int o = 0; o < out; o++) {
                double v;
                if (scale > 1) {
                    v = boxAverage(src, w, horizontal, line, o * scale, (o + 1) * scale);
                } else {
                    double pos = (o + 0.5) * scale - 0.5;
                    int i0 = (int) Math.floor(pos);
                    double t = pos - i0;
                    int a = Math.max(0, Math.min(in - 1, i0));
                    int b = Math.max(0, Math.min(in - 1, i0 + 1));
                    v =
                            (1 - t) * at(src, w, horizontal, line, a)
                                    + t * at(src, w, horizontal, line, b);
                }
                int idx = horizontal ? line * outW + o : o * outW + line;
                dst[idx] = (float) v;
            }
        }
        return dst;
    }

    private static double boxAverage(
            float[] src, int w, boolean horizontal, int line, double from, double to) {
        double sum = 0;
        int first = (int) Math.floor(from);
        int last = (int) Math.ceil(to) - 1;
        for (int i = first; i <= last; i++) {
            double cover = Math.min(to, i + 1) - Math.max(from, i);
            sum += cover * at(src, w, horizontal, line, i);
        }
        return sum / (to - from);
    }

    private static float at(float[] src, int w, boolean horizontal, int line, int i) {
        return horizontal ? src[line * w + i] : src[i * w + line];
    }
}
