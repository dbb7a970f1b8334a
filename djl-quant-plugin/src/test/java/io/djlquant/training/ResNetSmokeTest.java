package io.djlquant.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DJL's ResNetV1-18 at 3x32x32 learns Fashion-MNIST within one epoch on 2,000 images. */
class ResNetSmokeTest {

    private static int savedThreads;

    @TempDir Path out;

    // On this shared 2-core machine PyTorch's two busy-waiting OpenMP threads were measured 6x
    // slower than one thread under load, so the heavy test runs single-threaded and restores the
    // process-wide setting afterwards.
    @BeforeAll
    static void singleThread() {
        Trainers.engine();
        savedThreads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        JniUtils.setNumThreads(savedThreads);
    }

    @Test
    void djlResNet18Uses32AsCifarStem() {
        Block net = TrainFloat.djlResNet18(32, 3);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            Conv2d stem = (Conv2d) ((SequentialBlock) net).getChildren().get(0).getValue();
            // CIFAR stem: 3x3 stride 1, so stage 1 still sees 32x32; output is 10 logits.
            assertEquals(new Shape(3, 3), stem.getParameters().get("weight").getArray().getShape()
                    .slice(2));
            Shape[] outShapes = net.getOutputShapes(new Shape[] {new Shape(2, 3, 32, 32)});
            assertEquals(new Shape(2, 10), outShapes[0]);
        }
    }

    @Test
    void oneEpochOn2000ImagesLearns() throws Exception {
        TrainOptions options =
                TrainOptions.builder()
                        .epochs(1)
                        .batchSize(50)
                        .learningRate(0.05f)
                        .limit(2000)
                        .testLimit(500)
                        .imageSize(32)
                        .channels(3)
                        .seed(2024L)
                        .outputDir(out)
                        .modelName("resnet18")
                        .build();
        TrainingHistory h = TrainFloat.run(() -> TrainFloat.djlResNet18(32, 3), options);
        float[] losses = h.batchLosses();
        assertEquals(40, losses.length);
        double first = TrainingHarnessTest.mean(losses, 0, 5);
        double last = TrainingHarnessTest.mean(losses, 35, 40);
        String log = "losses " + Arrays.toString(losses) + ", stats " + h.last();
        assertTrue(last < 0.7 * first, log);
        // Chance is 10%; one short epoch should be far above it.
        assertTrue(h.last().testAccuracy() > 0.4, log);
        assertTrue(h.last().trainAccuracy() > 0.3, log);
        assertTrue(Files.isRegularFile(out.resolve("resnet18-0001.params")), log);
        System.out.println("ResNetV1-18 smoke: " + log);
    }
}
