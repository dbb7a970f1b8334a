package io.djlquant.zoo;

import ai.djl.Application;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import io.djlquant.quantized.ForeignArrays;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The zoo's int8 ResNet18 through {@link Criteria} as an application runs it, for {@code
 * .ci/arm64-check}: one image by {@code predict} and a batch of 8 by {@code batchPredict}, and the
 * bytes of every probability (the translator's softmax uses {@code StrictMath}, so equal logits
 * give equal bytes on every platform).
 *
 * <p>Usage: {@code write DIR} on x86 (the reference), {@code check DIR} on the machine under test,
 * where PyTorch must be absent. Exit status 0 equal, 1 different or impure path, 2 usage.
 */
public final class CrossArchZoo {

    private static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");
    private static final String FILE = "zoo-resnet18-qat.probabilities";

    private CrossArchZoo() {}

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("write") || args[0].equals("check"))) {
            System.out.println("usage: CrossArchZoo write|check DIR");
            System.exit(2);
        }
        boolean check = args[0].equals("check");
        Path file = Path.of(args[1]).resolve(FILE);
        long t0 = System.nanoTime();
        List<Image> images = images(9);
        Criteria<Image, Classifications> criteria =
                Criteria.builder()
                        .setTypes(Image.class, Classifications.class)
                        .optApplication(Application.CV.IMAGE_CLASSIFICATION)
                        .optArtifactId("resnet18")
                        .optEngine(DjlQuantModelZoo.QUANTIZED_ENGINE)
                        .optFilter("quantization", ResNet18Loader.QAT)
                        .build();
        List<Classifications> results = new ArrayList<>();
        long foreign = ForeignArrays.count();
        try (ZooModel<Image, Classifications> model = criteria.loadModel();
                Predictor<Image, Classifications> p = model.newPredictor()) {
            results.add(p.predict(images.get(0)));
            results.addAll(p.batchPredict(images.subList(1, 9)));
        }
        foreign = ForeignArrays.count() - foreign;
        byte[] bytes = encode(results);
        String digest =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        StringBuilder best = new StringBuilder();
        for (Classifications c : results) {
            best.append(c.best().getClassName()).append("; ");
        }
        System.out.printf(
                "zoo resnet18-qat via Criteria: %d images (1 + batch of 8) in %.1f s, PyTorch %s,"
                        + " foreign arrays at Q blocks %d, sha256 %s%n  best: %s%n",
                results.size(),
                (System.nanoTime() - t0) / 1e9,
                Engine.hasEngine("PyTorch") ? "present" : "absent",
                foreign,
                digest,
                best);
        boolean ok = foreign == 0;
        if (!check) {
            Files.createDirectories(file.getParent());
            Files.write(file, bytes);
        } else {
            byte[] expected = Files.readAllBytes(file);
            if (Engine.hasEngine("PyTorch")) {
                System.out.println("zoo FAIL: PyTorch is on the class path of the checked machine");
                ok = false;
            }
            int at = java.util.Arrays.mismatch(expected, bytes);
            if (at >= 0) {
                System.out.println(
                        "zoo FAIL: probabilities differ from x86 at byte "
                                + at
                                + " (image "
                                + at / 80
                                + ", class "
                                + (at % 80) / 8
                                + ")");
                ok = false;
            }
        }
        System.out.println("zoo " + (ok ? "OK" : "FAIL"));
        System.exit(ok ? 0 : 1);
    }

    /* Probabilities in class order, as big-endian doubles. */
    private static byte[] encode(List<Classifications> results) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (Classifications c : results) {
                for (String name : c.getClassNames()) {
                    out.writeDouble(c.get(name).getProbability());
                }
            }
        }
        return bytes.toByteArray();
    }

    /* The first test images as opaque gray ARGB images, as an application would build them. */
    private static List<Image> images(int count) throws IOException {
        byte[] pixels = new byte[count * 784];
        try (DataInputStream in =
                new DataInputStream(
                        new GZIPInputStream(
                                Files.newInputStream(DATA.resolve("t10k-images-idx3-ubyte.gz"))))) {
            if (in.readInt() != 0x803
                    || in.readInt() < count
                    || in.readInt() != 28
                    || in.readInt() != 28) {
                throw new IOException("not a Fashion-MNIST image file: " + DATA);
            }
            in.readFully(pixels);
        }
        List<Image> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] argb = new int[784];
            for (int k = 0; k < 784; k++) {
                int v = pixels[i * 784 + k] & 0xFF;
                argb[k] = 0xFF000000 | v << 16 | v << 8 | v;
            }
            images.add(ImageFactory.getInstance().fromPixels(argb, 28, 28));
        }
        return images;
    }
}
