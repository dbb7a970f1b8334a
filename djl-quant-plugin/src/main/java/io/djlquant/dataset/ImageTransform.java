package io.djlquant.dataset;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Turns one square grey uint8 image into a normalised float CHW image of another square size.
 *
 * <p>All geometry is precomputed once so the per-image work is a table lookup (pad) or a 2x2
 * weighted sum (resize). Normalisation is affine, so resizing raw values and normalising afterwards
 * equals resizing normalised values.
 */
final class ImageTransform {

    private final int inSize;
    private final int outSize;
    private final FashionMnist.SizeMode mode;
    private final int channels;
    private final float mean;
    private final float std;
    private final float[] lut = new float[256];
    private final float background;
    private final Shape shape;
    // Bilinear source indices and weights per output coordinate (same for rows and columns).
    private int[] lo;
    private int[] hi;
    private float[] wHi;

    ImageTransform(
            int inSize,
            int outSize,
            FashionMnist.SizeMode mode,
            int channels,
            float mean,
            float std) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (!(std > 0) || !Float.isFinite(std) || !Float.isFinite(mean)) {
            throw new IllegalArgumentException(
                    "normalisation needs a finite mean and std > 0, got mean="
                            + mean
                            + " std="
                            + std);
        }
        if (outSize <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + outSize);
        }
        if (mode == FashionMnist.SizeMode.PAD && outSize < inSize) {
            throw new IllegalArgumentException(
                    "padding cannot shrink a "
                            + inSize
                            + "x"
                            + inSize
                            + " image to "
                            + outSize
                            + "; use SizeMode.RESIZE");
        }
        this.inSize = inSize;
        this.outSize = outSize;
        this.mode = mode;
        this.channels = channels;
        this.mean = mean;
        this.std = std;
        for (int v = 0; v < 256; v++) {
            lut[v] = normalize(v);
        }
        background = lut[0];
        shape = new Shape(channels, outSize, outSize);
        if (mode == FashionMnist.SizeMode.RESIZE) {
            precomputeBilinear();
        }
    }

    /** The output shape {@code (C, S, S)}. */
    Shape shape() {
        return shape;
    }

    /** Normalises a raw pixel value in [0, 255]. */
    float normalize(float raw) {
        return (raw / 255f - mean) / std;
    }

    /**
     * Transforms the image starting at {@code offset} in {@code pixels}.
     *
     * @return a new array of {@code C * S * S} floats
     */
    float[] apply(byte[] pixels, int offset) {
        int plane = outSize * outSize;
        float[] out = new float[channels * plane];
        if (mode == FashionMnist.SizeMode.PAD) {
            pad(pixels, offset, out);
        } else {
            resize(pixels, offset, out);
        }
        for (int c = 1; c < channels; c++) {
            System.arraycopy(out, 0, out, c * plane, plane);
        }
        return out;
    }

    private void pad(byte[] pixels, int offset, float[] out) {
        int border = (outSize - inSize) / 2;
        if (outSize != inSize) {
            Arrays.fill(out, 0, outSize * outSize, background);
        }
        for (int y = 0; y < inSize; y++) {
            int src = offset + y * inSize;
            int dst = (y + border) * outSize + border;
            for (int x = 0; x < inSize; x++) {
                out[dst + x] = lut[pixels[src + x] & 0xFF];
            }
        }
    }

    private void resize(byte[] pixels, int offset, float[] out) {
        for (int y = 0; y < outSize; y++) {
            int r0 = offset + lo[y] * inSize;
            int r1 = offset + hi[y] * inSize;
            float wy = wHi[y];
            for (int x = 0; x < outSize; x++) {
                float wx = wHi[x];
                float top =
                        (pixels[r0 + lo[x]] & 0xFF) * (1 - wx) + (pixels[r0 + hi[x]] & 0xFF) * wx;
                float bot =
                        (pixels[r1 + lo[x]] & 0xFF) * (1 - wx) + (pixels[r1 + hi[x]] & 0xFF) * wx;
                out[y * outSize + x] = normalize(top * (1 - wy) + bot * wy);
            }
        }
    }

    private void precomputeBilinear() {
        lo = new int[outSize];
        hi = new int[outSize];
        wHi = new float[outSize];
        double scale = (double) inSize / outSize;
        for (int i = 0; i < outSize; i++) {
            double src = Math.max((i + 0.5) * scale - 0.5, 0.0);
            int i0 = Math.min((int) Math.floor(src), inSize - 1);
            lo[i] = i0;
            hi[i] = Math.min(i0 + 1, inSize - 1);
            wHi[i] = (float) (src - i0);
        }
    }
}
