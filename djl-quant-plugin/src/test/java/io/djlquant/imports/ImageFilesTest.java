package io.djlquant.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Record;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

    private static void solid(Path file, int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void imagenetPreprocessingAndFolderLabels(@TempDir Path dir) throws IOException {
        // a wide solid image: resize keeps it solid, so every pixel is exactly the normalised
        // colour
        solid(dir.resolve("b/wide.png"), 100, 50, 0xff0080);
        solid(dir.resolve("a/tall.png"), 40, 90, 0x646464);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        ImageFiles data =
                ImageFiles.builder().setRoot(dir).optImageSize(32).setSampling(2, false).build();
        assertEquals(2, data.size());
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Record tall = data.get(m, 0);
            Record wide = data.get(m, 1);
            NDArray x = wide.getData().head();
            assertEquals(new Shape(3, 32, 32), x.getShape());
            float[] v = x.toFloatArray();
            float[] expected = {
                (1f - 0.485f) / 0.229f, (0f - 0.456f) / 0.224f, (128f / 255f - 0.406f) / 0.225f
            };
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], v[c * 1024], 1e-4f, "channel " + c);
                assertEquals(expected[c], v[c * 1024 + 1023], 1e-4f, "channel " + c);
            }
            assertEquals(0f, tall.getLabels().head().getFloat()); // folder "a"
            assertEquals(1f, wide.getLabels().head().getFloat()); // folder "b"
        }
        ImageFiles grey =
                ImageFiles.builder()
                        .setRoot(dir.resolve("a"))
                        .optImageSize(16)
                        .optChannels(1)
                        .setSampling(1, false)
                        .build();
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = grey.get(m, 0).getData().head();
            assertEquals(new Shape(1, 16, 16), x.getShape());
            float mean = (0.485f + 0.456f + 0.406f) / 3;
            float std = (0.229f + 0.224f + 0.225f) / 3;
            assertEquals((100f / 255f - mean) / std, x.toFloatArray()[0], 1e-4f);
            assertEquals(0f, grey.get(m, 0).getLabels().head().getFloat()); // directly in the root
        }
    }

    @Test
    void badOptions(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.builder().optChannels(2));
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.builder().optImageSize(0));
        IOException missing =
                assertThrows(
                        IOException.class,
                        () ->
                                ImageFiles.builder()
                                        .setRoot(dir.resolve("nope"))
                                        .setSampling(1, false)
                                        .build());
        assertEquals(true, missing.getMessage().contains("does not exist"), missing.getMessage());
    }
}
