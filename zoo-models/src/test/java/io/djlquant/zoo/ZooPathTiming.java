package io.djlquant.zoo;

import ai.djl.Application;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import io.djlquant.dataset.FashionMnist;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Time per image of the zoo's ResNet18 (28x28 Fashion-MNIST images, 32x32 network input) through
 * {@code Criteria} -> {@code Predictor} and through the direct path (the block fed a JavaQuant
 * array built from the same floats), at batch 1, 8 and 64, with the float model on PyTorch through
 * Criteria as the same-run baseline. Medians of repeated timed calls after a warm-up, the two paths
 * called in turn.
 *
 * <p>Usage: {@code ZooPathTiming [reps1] [reps8] [reps64]}. Uses only APIs that existed before the
 * int8 predictor path, so the same file times the old code.
 */
public final class ZooPathTiming {

    private ZooPathTiming() {}

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        int reps1 = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int reps8 = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int reps64 = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        List<Image> images = images(64);
        ImageConversion conv =
                new ImageConversion(28, 32, 3, FashionMnist.DEFAULT_MEAN, FashionMnist.DEFAULT_STD);
        System.out.printf(
                "host: %s, %d cores, JDK %s%n",
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        for (String q : new String[] {"qat", "none"}) {
            String engine = "none".equals(q) ? "PyTorch" : "JavaQuant";
            Criteria<Image, Classifications> criteria =
                    Criteria.builder()
                            .setTypes(Image.class, Classifications.class)
                            .optApplication(Application.CV.IMAGE_CLASSIFICATION)
                            .optArtifactId("resnet18")
                            .optEngine(engine)
                            .optFilter("quantization", q)
                            .build();
            try (ZooModel<Image, Classifications> model = criteria.loadModel();
                    Predictor<Image, Classifications> p = model.newPredictor()) {
                for (int batch : new int[] {1, 8, 64}) {
                    int reps = batch == 1 ? reps1 : batch == 8 ? reps8 : reps64;
                    List<Image> chunk = images.subList(0, batch);
                    double[] medians =
                            alternating(
                                    reps,
                                    () -> {
                                        if (batch == 1) {
                                            p.predict(chunk.get(0));
                                        } else {
                                            p.batchPredict(chunk);
                                        }
                                    },
                                    () -> direct(model, conv, chunk));
                    double zoo = medians[0] / batch;
                    double direct = medians[1] / batch;
                    System.out.printf(
                            "%-9s %-4s batch %2d: Criteria predictor %.3f ms/image,"
                                    + " direct block %.3f ms/image%n",
                            engine, q, batch, zoo, direct);
                }
            }
        }
    }

    /* The block on an input array of the model's engine, logits read back. */
    private static void direct(ZooModel<?, ?> model, ImageConversion conv, List<Image> chunk) {
        Block block = model.getBlock();
        float[] x = new float[chunk.size() * 3 * 32 * 32];
        for (int i = 0; i < chunk.size(); i++) {
            System.arraycopy(conv.toFloats(chunk.get(i)), 0, x, i * 3 * 32 * 32, 3 * 32 * 32);
        }
        try (NDManager m = model.getNDManager().newSubManager()) {
            block.forward(
                            new ParameterStore(m, false),
                            new NDList(m.create(x, new Shape(chunk.size(), 3, 32, 32))),
                            false)
                    .singletonOrThrow()
                    .toFloatArray();
        }
    }

    interface Call {
        void run() throws Exception;
    }

    /**
     * Medians (ms) of {@code a} and {@code b}, called in turn (untimed warm-up calls first): timed
     * one after the other, the first path also paid for the JIT compiling the code both share
     * (measured at batch 1: Criteria 7.8 ms, then the direct block 2.8 ms).
     */
    private static double[] alternating(int reps, Call a, Call b) throws Exception {
        for (int i = 0; i < Math.max(10, reps / 5); i++) {
            a.run();
            b.run();
        }
        double[] ma = new double[reps];
        double[] mb = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            a.run();
            long t1 = System.nanoTime();
            b.run();
            long t2 = System.nanoTime();
            ma[i] = (t1 - t0) / 1e6;
            mb[i] = (t2 - t1) / 1e6;
        }
        Arrays.sort(ma);
        Arrays.sort(mb);
        return new double[] {ma[reps / 2], mb[reps / 2]};
    }

    private static List<Image> images(int count) throws Exception {
        byte[] pixels = new byte[count * 784];
        Path file = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
        try (DataInputStream in =
                new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
            in.skipBytes(16);
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
