package io.djlquant.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.ZooModel;
import io.djlquant.examples.spark.ExecutorModel;
import io.djlquant.examples.spark.Prediction;
import io.djlquant.examples.spark.SparkImageClassifier;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch inference on Spark (local mode, 2 executor threads, 4 partitions): Fashion-MNIST test
 * images written as gray PNG files are classified by the zoo's int8 ResNet18 in {@code
 * mapPartitions} and must equal, file by file, what one JVM predicts for the same files; the CSV
 * written by the example's {@code run} has one row per file. Runs in the execution without PyTorch,
 * as executors would.
 */
class SparkImageClassifierTest {

    private static final int IMAGES = 600;

    /** The zoo's int8 ResNet18 scores 92 % on the test set; 600 images leave room for chance. */
    private static final double MIN_ACCURACY = 0.85;

    @Test
    void sparkPredictionsEqualSingleJvmPredictions(@TempDir Path dir) throws Exception {
        FashionMnistTestImages data = FashionMnistTestImages.read(IMAGES);
        Path images = Files.createDirectories(dir.resolve("images"));
        Map<String, Integer> labels = new HashMap<>();
        for (int i = 0; i < IMAGES; i++) {
            BufferedImage b = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            b.getRaster()
                    .setDataElements(
                            0,
                            0,
                            28,
                            28,
                            java.util.Arrays.copyOfRange(data.pixels, i * 784, (i + 1) * 784));
            Path file = images.resolve(String.format("img%05d.png", i));
            ImageIO.write(b, "png", file.toFile());
            labels.put(file.getFileName().toString(), data.labels[i]);
        }

        // what an application in one JVM gets for the same files
        Map<String, Classifications.Classification> expected = new HashMap<>();
        try (ZooModel<Image, Classifications> model = ExecutorModel.criteria().loadModel();
                Predictor<Image, Classifications> p = model.newPredictor();
                var files = Files.list(images)) {
            for (Path f : files.toList()) {
                expected.put(
                        f.getFileName().toString(),
                        p.predict(ImageFactory.getInstance().fromFile(f)).best());
            }
        }

        SparkSession spark =
                SparkSession.builder()
                        .master("local[2]")
                        .appName("djl-quant spark test")
                        .config("spark.ui.enabled", "false")
                        .config("spark.driver.host", "127.0.0.1")
                        .config("spark.driver.bindAddress", "127.0.0.1")
                        // tiny files: without a small open cost Spark would give every file its own
                        // task
                        .config("spark.sql.files.openCostInBytes", "1")
                        .config(
                                "spark.sql.files.maxPartitionBytes",
                                String.valueOf(IMAGES / 4 * 300))
                        .getOrCreate();
        try {
            Dataset<Row> files = spark.read().format("binaryFile").load(images.toString());
            assertTrue(
                    files.rdd().getNumPartitions() >= 2,
                    "several partitions: " + files.rdd().getNumPartitions());
            List<Prediction> got = SparkImageClassifier.classify(files, 16).collectAsList();
            assertEquals(IMAGES, got.size());
            int correct = 0;
            for (Prediction p : got) {
                String name = Path.of(java.net.URI.create(p.getPath())).getFileName().toString();
                Classifications.Classification e = expected.get(name);
                assertEquals(e.getClassName(), p.getClassName(), name);
                assertEquals(e.getProbability(), p.getProbability(), 0.0, name);
                correct +=
                        ZooModels.CLASS_NAMES.get(labels.get(name)).equals(p.getClassName())
                                ? 1
                                : 0;
            }
            double accuracy = correct / (double) IMAGES;
            System.out.printf(
                    "Spark: %d PNG files, %d partitions, top-1 %.4f, equal to one JVM%n",
                    IMAGES, files.rdd().getNumPartitions(), accuracy);
            assertTrue(accuracy >= MIN_ACCURACY, "top-1 " + accuracy);

            Path csv = dir.resolve("predictions");
            assertEquals(
                    IMAGES, SparkImageClassifier.run(spark, images.toString(), csv.toString(), 32));
            List<String> rows = new ArrayList<>();
            try (var parts = Files.list(csv)) {
                for (Path part :
                        parts.filter(f -> f.getFileName().toString().endsWith(".csv")).toList()) {
                    Files.readAllLines(part).stream()
                            .filter(l -> !l.startsWith("path,"))
                            .forEach(rows::add);
                }
            }
            assertEquals(IMAGES, rows.size());
        } finally {
            spark.stop();
        }
    }
}
