package io.djlquant.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.djlquant.models.MobileNetV2;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportAndQuantizeTest {

    /** Smooth random colour blobs, each image different, in two class sub-folders. */
    static void writeImages(Path dir, int count, long seed) throws IOException {
        Random r = new Random(seed);
        for (int i = 0; i < count; i++) {
            int w = 72 + r.nextInt(40);
            int h = 72 + r.nextInt(40);
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            double fx = 0.02 + 0.2 * r.nextDouble();
            double fy = 0.02 + 0.2 * r.nextDouble();
            double[] phase = {r.nextDouble() * 6, r.nextDouble() * 6, r.nextDouble() * 6};
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = 0;
                    for (int c = 0; c < 3; c++) {
                        double v = 0.5 + 0.5 * Math.sin(fx * x * (c + 1) + fy * y + phase[c]);
                        rgb = (rgb << 8) | (int) Math.round(255 * v);
                    }
                    img.setRGB(x, y, rgb);
                }
            }
            Path sub = dir.resolve(i % 2 == 0 ? "cats" : "dogs");
            Files.createDirectories(sub);
            ImageIO.write(
                    img,
                    i % 3 == 0 ? "jpg" : "png",
                    sub.resolve("img" + i + (i % 3 == 0 ? ".jpg" : ".png")).toFile());
        }
    }

    @Test
    void importCalibrateQuantizeSaveAndCompare(@TempDir Path tmp) throws Exception {
        Path images = tmp.resolve("images");
        writeImages(images, 16, 7);
        Path out = tmp.resolve("out").resolve("resnet18-int8.jq");
        ImportOptions o =
                new ImportOptions(
                        Fixtures.file(Fixtures.RESNET18), images.toString(), out, 64, 2, 8, 0);
        ImportAndQuantize.Result r = ImportAndQuantize.run(o);
        System.out.printf(
                "ImportAndQuantize on the fixture: Float vs Q top-1 %d/%d, %d float classes,"
                        + " max logit diff %.4f%n",
                r.agreeing(), r.images(), r.floatClasses(), r.maxLogitDiff());
        assertTrue(Files.size(out) > 0);
        assertEquals(16, r.images());
        assertEquals(10, r.layout().getNumClasses());
        assertTrue(r.agreement() >= 0.75, "agreement " + r.agreement());
        // agreement with a constant prediction would mean nothing
        assertTrue(r.floatClasses() >= 2, "float classes " + r.floatClasses());

        // the per-layer report beside the model: every layer of ResNet18, Q computing what QFloat
        // does
        Path layers = out.resolveSibling("resnet18-int8.layers.json");
        assertEquals(layers, ImportAndQuantize.layersFile(out));
        JsonObject json = JsonParser.parseString(Files.readString(layers)).getAsJsonObject();
        assertEquals(8, json.get("images").getAsInt());
        // QuantStub, stem conv, max pool, 8 blocks of 2 convs + join, 3 downsamples, pool, fc,
        // DequantStub
        assertEquals(3 + 8 * 3 + 3 + 3, json.getAsJsonArray("layers").size());
        for (JsonElement e : json.getAsJsonArray("layers")) {
            JsonObject q = e.getAsJsonObject().getAsJsonObject("qVsQfloat");
            assertTrue(
                    q.get("exact").getAsBoolean() || q.get("sqnrDb").getAsDouble() > 25,
                    e.getAsJsonObject().get("path") + ": " + q);
        }
    }

    @Test
    void stateDictOnFashionMnist(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("resnet34-int8.jq");
        // the 1-channel small-stem fixture, trained on Fashion-MNIST; its test images at 28x28
        ImportAndQuantize.Result r =
                ImportAndQuantize.run(
                        new ImportOptions(
                                Fixtures.file(Fixtures.RESNET34),
                                ImportOptions.FASHION_MNIST,
                                out,
                                28,
                                2,
                                16,
                                0));
        System.out.printf(
                "ImportAndQuantize ResNet34 on Fashion-MNIST: Float vs Q top-1 %d/%d, %d float"
                        + " classes, max logit diff %.4f, accuracy Float %d Q %d of %d%n",
                r.agreeing(),
                r.images(),
                r.floatClasses(),
                r.maxLogitDiff(),
                r.floatCorrect(),
                r.qCorrect(),
                r.images());
        assertEquals(32, r.images());
        assertEquals(10, r.layout().getNumClasses());
        // the generator measured ~82% on the test split; 32 images leave room for sampling noise
        assertTrue(r.floatCorrect() >= 20, "float accuracy " + r.floatCorrect());
        assertTrue(r.qCorrect() >= r.floatCorrect() - 3, "Q accuracy " + r.qCorrect());
        assertTrue(r.agreement() >= 0.9, "agreement " + r.agreement());
        assertTrue(r.floatClasses() >= 3, "float classes " + r.floatClasses());
    }

    @Test
    void mobileNetV2OnFashionMnist(@TempDir Path tmp) throws Exception {
        // TorchScript: the stride-1 stem is found from libtorch's output, so the input is 32x32
        ImportAndQuantize.Result r =
                ImportAndQuantize.run(
                        new ImportOptions(
                                Fixtures.file(MobileNetV2ImportTest.PT),
                                ImportOptions.FASHION_MNIST,
                                tmp.resolve("mnv2-int8.jq"),
                                0,
                                2,
                                32,
                                0));
        System.out.printf(
                "ImportAndQuantize MobileNetV2 on Fashion-MNIST: Float vs Q top-1 %d/%d, %d float"
                        + " classes, max logit diff %.4f, accuracy Float %d Q %d of %d%n",
                r.agreeing(),
                r.images(),
                r.floatClasses(),
                r.maxLogitDiff(),
                r.floatCorrect(),
                r.qCorrect(),
                r.images());
        MobileNetV2.Builder layout = assertInstanceOf(MobileNetV2.Builder.class, r.layout());
        assertEquals(1, layout.getStemStride());
        assertEquals(32, layout.defaultImageSize());
        assertEquals(64, r.images());
        // the generator measured 82 % on the test split; 64 images leave room for sampling noise
        assertTrue(r.floatCorrect() >= 44, "float accuracy " + r.floatCorrect());
        assertTrue(r.qCorrect() >= r.floatCorrect() - 3, "Q accuracy " + r.qCorrect());
        assertTrue(r.agreement() >= 0.9, "agreement " + r.agreement());
        assertTrue(r.floatClasses() >= 5, "float classes " + r.floatClasses());

        // the float16 state dict of the same network, with the stride it cannot record
        ImportAndQuantize.Result sd =
                ImportAndQuantize.run(
                        new ImportOptions(
                                Fixtures.file(MobileNetV2ImportTest.PTH),
                                ImportOptions.FASHION_MNIST,
                                tmp.resolve("mnv2-sd-int8.jq"),
                                0,
                                2,
                                32,
                                1));
        assertEquals(r.floatCorrect(), sd.floatCorrect());
        assertTrue(sd.agreement() >= 0.9, "agreement " + sd.agreement());

        // a stem stride for a ResNet is refused, before anything is written
        Path resnetOut = tmp.resolve("resnet-int8.jq");
        assertThrows(
                MalformedModelException.class,
                () ->
                        ImportAndQuantize.run(
                                new ImportOptions(
                                        Fixtures.file(Fixtures.RESNET34),
                                        ImportOptions.FASHION_MNIST,
                                        resnetOut,
                                        0,
                                        8,
                                        16,
                                        1)));
        assertFalse(Files.exists(resnetOut));
    }

    @Test
    void optionsAreChecked() {
        Path m = Path.of("m.pt");
        Path out = Path.of("x.jq");
        assertThrows(
                IllegalArgumentException.class, () -> new ImportOptions(m, null, out, 0, 8, 16, 0));
        assertThrows(
                IllegalArgumentException.class, () -> new ImportOptions(m, "d", out, 0, 0, 16, 0));
        assertThrows(
                IllegalArgumentException.class, () -> new ImportOptions(m, "d", out, -1, 8, 16, 0));
        IllegalArgumentException stride =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new ImportOptions(m, "d", out, 0, 8, 16, 3));
        assertTrue(stride.getMessage().contains("--stem-stride"), stride.getMessage());
    }

    /** A state dict whose pickle calls os.system: what a hostile download looks like. */
    private static Path hostileFile(Path dir) throws IOException {
        Path bad = dir.resolve("resnet18-weights.pth");
        Files.write(
                bad,
                MaliciousFiles.archive(
                        new MaliciousFiles.Pickle()
                                .global("os", "system")
                                .tuple(() -> new MaliciousFiles.Pickle())
                                .op('R')
                                .stop(),
                        1));
        return bad;
    }

    @Test
    void hostileFileIsRefusedBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        Path bad = hostileFile(tmp);
        Path out = tmp.resolve("out.jq");
        MalformedModelException e =
                assertThrows(
                        MalformedModelException.class,
                        () ->
                                ImportAndQuantize.run(
                                        new ImportOptions(
                                                bad,
                                                ImportOptions.FASHION_MNIST,
                                                out,
                                                0,
                                                8,
                                                16,
                                                0)));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("references 'os.system'"), e.getMessage());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void zipBombIsRefused(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.jq");
        java.util.Map<String, byte[]> bomb = new java.util.LinkedHashMap<>();
        bomb.put("archive/data.pkl", new MaliciousFiles.Pickle().op('N').stop());
        bomb.put("archive/zeros", new byte[32 << 20]);
        Path zipBomb = tmp.resolve("bomb.pth");
        Files.write(zipBomb, MaliciousFiles.zip(bomb, true));
        assertThrows(
                MalformedModelException.class,
                () ->
                        ImportAndQuantize.run(
                                new ImportOptions(
                                        zipBomb, ImportOptions.FASHION_MNIST, out, 0, 8, 16, 0)));
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void emptyFolderIsReported(@TempDir Path tmp) {
        IOException e =
                assertThrows(
                        IOException.class,
                        () -> ImageFiles.builder().setRoot(tmp).setSampling(4, false).build());
        assertTrue(e.getMessage().contains("no images"), e.getMessage());
    }
}
