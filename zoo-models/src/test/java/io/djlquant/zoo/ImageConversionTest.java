package io.djlquant.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Dataset;
import io.djlquant.dataset.FashionMnist;
import org.junit.jupiter.api.Test;

class ImageConversionTest {

    private static final ImageConversion CONV =
            new ImageConversion(28, 32, 3, FashionMnist.DEFAULT_MEAN, FashionMnist.DEFAULT_STD);

    @Test
    void grayFashionMnistImageGivesTheTrainingTensor() throws Exception {
        FashionMnist test =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TEST)
                        .optImageSize(32)
                        .optChannels(3)
                        .optLimit(3)
                        .setSampling(1, false)
                        .build();
        test.prepare();
        FashionMnist raw =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TEST)
                        .optNormalize(0f, 1f)
                        .optLimit(3)
                        .setSampling(1, false)
                        .build();
        raw.prepare();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (int i = 0; i < 3; i++) {
                float[] plain = raw.get(m, i).getData().head().toFloatArray();
                int[] argb = new int[28 * 28];
                for (int p = 0; p < argb.length; p++) {
                    int v = Math.round(plain[p] * 255f);
                    argb[p] = 0xFF000000 | v << 16 | v << 8 | v;
                }
                Image img = ImageFactory.getInstance().fromPixels(argb, 28, 28);
                float[] expected = test.get(m, i).getData().head().toFloatArray();
                assertArrayEquals(expected, CONV.toFloats(img), 1e-6f, "image " + i);
            }
        }
    }

    @Test
    void largerColourImageIsAveragedToGray() {
        // 56x56 colour image whose 2x2 blocks share one colour: box averaging gives the 28x28 luma.
        int[] big = new int[56 * 56];
        int[] small = new int[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int r = (x * 9) % 256;
                int g = (y * 7) % 256;
                int b = (x * y) % 256;
                int c = 0xFF000000 | r << 16 | g << 8 | b;
                small[y * 28 + x] = c;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        big[(2 * y + dy) * 56 + 2 * x + dx] = c;
                    }
                }
            }
        }
        float[] a = CONV.toFloats(ImageFactory.getInstance().fromPixels(big, 56, 56));
        float[] b = CONV.toFloats(ImageFactory.getInstance().fromPixels(small, 28, 28));
        assertArrayEquals(b, a, 1e-5f);
        // pixel (1, 0): r=9, g=0, b=0 -> luma round(2.691) = 3, at padded position (2, 3)
        float expected = (3 / 255f - FashionMnist.DEFAULT_MEAN) / FashionMnist.DEFAULT_STD;
        assertEquals(expected, b[2 * 32 + 3], 1e-6f);
        // the three channels are copies; the border is the normalised background
        assertEquals(b[2 * 32 + 3], b[32 * 32 + 2 * 32 + 3]);
        assertEquals(-FashionMnist.DEFAULT_MEAN / FashionMnist.DEFAULT_STD, b[0], 1e-6f);
    }

    @Test
    void transparentPixelsAreBackgroundAndSmallImagesAreEnlarged() {
        assertEquals(0f, ImageConversion.luma(0x00FFFFFF));
        assertEquals(255f, ImageConversion.luma(0xFFFFFFFF));
        float[] up = ImageConversion.resize(new float[] {10, 10, 10, 10}, 2, 2, 28);
        for (float v : up) {
            assertEquals(10f, v, 1e-5f);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> new ImageConversion(28, 27, 3, 0f, 1f));
        assertThrows(IllegalArgumentException.class, () -> new ImageConversion(28, 32, 2, 0f, 1f));
        assertThrows(IllegalArgumentException.class, () -> new ImageConversion(28, 32, 3, 0f, 0f));
        assertThrows(IllegalArgumentException.class, () -> CONV.toFloats(null));
    }
}
