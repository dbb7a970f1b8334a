package io.djlquant.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** DJL's ResNetV1-18 at 3x32x32 learns Fashion-MNIST within one epoch on 2,000 images. */
@ExtendWith(SingleThreadedTorch.class)
class ResNetSmokeTest {

    @TempDir Path out;

    @Test
    void djlResNet18Uses32AsCifarStem() {
        Block net = TrainFloat.djlResNet18(32, 3);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Shape input = new Shape(2, 3, 32, 32);
            net.initialize(m, DataType.FLOAT32, input);
            List<Block> children = ((SequentialBlock) net).getChildren().values();
            // CIFAR stem: one 3x3 stride-1 conv keeping 32x32, then directly the first residual
            // unit (no BatchNorm, ReLU or max pool as in the ImageNet stem).
            Conv2d stem = (Conv2d) children.get(0);
            assertEquals(
                    new Shape(64, 3, 3, 3),
                    stem.getParameters().get("weight").getArray().getShape());
            assertEquals(new Shape(2, 64, 32, 32), stem.getOutputShapes(new Shape[] {input})[0]);
            ParallelBlock unit = (ParallelBlock) children.get(1);
            // DJL builds 18 layers at this size from bottleneck units (three convs per branch).
            SequentialBlock branch = (SequentialBlock) unit.getChildren().get(0).getValue();
            long convs =
                    branch.getChildren().values().stream().filter(b -> b instanceof Conv2d).count();
            assertEquals(3, convs);
            assertEquals(new Shape(2, 10), net.getOutputShapes(new Shape[] {input})[0]);
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
