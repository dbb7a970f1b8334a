package io.djlquant.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.djlquant.models.MobileNetV2;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
                ImportOptions.parse(
                        Fixtures.file(Fixtures.RESNET18).toString(),
                        "--calibration",
                        images.toString(),
                        "--out",
                        out.toString(),
                        "--image-size",
                        "64",
                        "--batches",
                        "2",
                        "--batch-size",
                        "8");
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
                        ImportOptions.parse(
                                Fixtures.file(Fixtures.RESNET34).toString(),
                                "--calibration",
                                "fashion-mnist",
                                "--out",
                                out.toString(),
                                "--image-size",
                                "28",
                                "--batches",
                                "2",
                                "--batch-size",
                                "16"));
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
                        ImportOptions.parse(
                                Fixtures.file(MobileNetV2ImportTest.PT).toString(),
                                "--calibration",
                                "fashion-mnist",
                                "--out",
                                tmp.resolve("mnv2-int8.jq").toString(),
                                "--batches",
                                "2",
                                "--batch-size",
                                "32"));
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
                        ImportOptions.parse(
                                Fixtures.file(MobileNetV2ImportTest.PTH).toString(),
                                "--calibration",
                                "fashion-mnist",
                                "--out",
                                tmp.resolve("mnv2-sd-int8.jq").toString(),
                                "--batches",
                                "2",
                                "--batch-size",
                                "32",
                                "--stem-stride",
                                "1"));
        assertEquals(r.floatCorrect(), sd.floatCorrect());
        assertTrue(sd.agreement() >= 0.9, "agreement " + sd.agreement());

        // a stem stride for a ResNet is refused, before anything is written
        Path resnetOut = tmp.resolve("resnet-int8.jq");
        assertEquals(
                2,
                ImportAndQuantize.command(
                        Fixtures.file(Fixtures.RESNET34).toString(),
                        "--calibration",
                        "fashion-mnist",
                        "--out",
                        resnetOut.toString(),
                        "--stem-stride",
                        "1"));
        assertFalse(Files.exists(resnetOut));
        assertEquals(
                2,
                ImportAndQuantize.command(
                        Fixtures.file(MobileNetV2ImportTest.PT).toString(),
                        "--calibration",
                        "fashion-mnist",
                        "--out",
                        resnetOut.toString(),
                        "--stem-stride",
                        "3"));
    }

    @Test
    void optionsAreChecked() {
        assertThrows(
                IllegalArgumentException.class, () -> ImportOptions.parse("m.pt", "--out", "x.jq"));
        IllegalArgumentException unknown =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ImportOptions.parse(
                                        "m.pt",
                                        "--calibration",
                                        "d",
                                        "--out",
                                        "x.jq",
                                        "--bogus",
                                        "1"));
        assertTrue(unknown.getMessage().contains("unknown option --bogus"), unknown.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ImportOptions.parse(
                                "m.pt", "--calibration", "d", "--out", "x.jq", "--batches", "x"));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ImportOptions.parse(
                                "m.pt", "--calibration", "d", "--out", "x.jq", "--batches"));
        ImportOptions ok =
                ImportOptions.parse("m.pt", "--calibration", "fashion-mnist", "--out", "x.jq");
        assertEquals(8, ok.batches());
        assertEquals(16, ok.batchSize());
        assertEquals(0, ok.imageSize());
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
    void maliciousFileExitsWithStatus2AndOneLineInAFreshJvm(@TempDir Path tmp) throws Exception {
        Path bad = hostileFile(tmp);
        Path out = tmp.resolve("out.jq");
        Path stdout = tmp.resolve("stdout.txt");
        Path stderr = tmp.resolve("stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p =
                new ProcessBuilder(
                                java,
                                "-Dai.djl.offline=true",
                                "-cp",
                                System.getProperty("java.class.path"),
                                ImportAndQuantize.class.getName(),
                                bad.toString(),
                                "--calibration",
                                "fashion-mnist",
                                "--out",
                                out.toString())
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the command hung");
        List<String> err = Files.readAllLines(stderr);
        assertEquals(2, p.exitValue(), "stderr: " + err);
        assertEquals(1, err.size(), "one line: " + err);
        assertTrue(err.get(0).startsWith("ImportAndQuantize: " + bad), err.get(0));
        assertTrue(err.get(0).contains("references 'os.system'"), err.get(0));
        assertEquals(List.of(), Files.readAllLines(stdout));
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void hostileAndMismatchedFilesGiveStatus2InProcess(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.jq");
        // a zip bomb, then a real ResNet state dict forced into a layout it does not fit (the
        // multi-line mismatch listing must come out as one line)
        java.util.Map<String, byte[]> bomb = new java.util.LinkedHashMap<>();
        bomb.put("archive/data.pkl", new MaliciousFiles.Pickle().op('N').stop());
        bomb.put("archive/zeros", new byte[32 << 20]);
        Path zipBomb = tmp.resolve("bomb.pth");
        Files.write(zipBomb, MaliciousFiles.zip(bomb, true));
        for (Path model : new Path[] {hostileFile(tmp), zipBomb}) {
            assertEquals(
                    2,
                    ImportAndQuantize.command(
                            model.toString(),
                            "--calibration",
                            "fashion-mnist",
                            "--out",
                            out.toString()));
        }
        assertFalse(Files.exists(out), "nothing written");
        assertEquals(2, ImportAndQuantize.command("m.pth", "--out", out.toString()), "usage error");
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
