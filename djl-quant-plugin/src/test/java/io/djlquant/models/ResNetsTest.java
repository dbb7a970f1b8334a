package io.djlquant.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResNetsTest {

    /** torchvision's resnet34: 21,797,672 trainable parameters (its published figure). */
    private static final long TORCHVISION_RESNET34_TRAINABLE = 21_797_672L;

    private static long trainable(Map<String, Parameter> tv) {
        long n = 0;
        for (Map.Entry<String, Parameter> e : tv.entrySet()) {
            if (!e.getKey().contains("running_")) {
                n += e.getValue().getArray().getShape().size();
            }
        }
        return n;
    }

    @Test
    void resnet34MatchesTorchvisionNamesAndCount() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net = ResNet34.builder().build();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            Map<String, Parameter> tv = ResNets.torchvisionParameters(net);
            // 36 convolutions (33 + 3 downsample), as many batch norms with 4 tensors, fc
            // weight/bias
            assertEquals(36 + 36 * 4 + 2, tv.size());
            assertEquals(TORCHVISION_RESNET34_TRAINABLE, trainable(tv));
            assertEquals(
                    new Shape(256, 256, 3, 3),
                    tv.get("layer3.5.conv2.weight").getArray().getShape());
            assertEquals(
                    new Shape(512, 256, 1, 1),
                    tv.get("layer4.0.downsample.0.weight").getArray().getShape());
            assertTrue(tv.containsKey("layer2.3.bn2.running_var"));
            assertFalse(tv.containsKey("layer2.4.conv1.weight"));
            assertFalse(tv.containsKey("layer1.0.downsample.0.weight"));
        }
    }

    @Test
    void narrowWidthsScaleEveryLayer() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net =
                    ResNet18.builder().optWidths(8, 16, 32, 64).optNumClasses(10).build();
            net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 64, 64));
            Map<String, Parameter> tv = ResNet18.torchvisionParameters(net);
            assertEquals(20 + 20 * 4 + 2, tv.size());
            assertEquals(new Shape(8, 3, 7, 7), tv.get("conv1.weight").getArray().getShape());
            assertEquals(
                    new Shape(8, 8, 3, 3), tv.get("layer1.1.conv2.weight").getArray().getShape());
            assertEquals(
                    new Shape(32, 16, 1, 1),
                    tv.get("layer3.0.downsample.0.weight").getArray().getShape());
            assertEquals(new Shape(10, 64), tv.get("fc.weight").getArray().getShape());
            NDList out =
                    net.forward(
                            new ParameterStore(m, false),
                            new NDList(m.randomNormal(new Shape(2, 3, 64, 64))),
                            false);
            assertEquals(new Shape(2, 10), out.head().getShape());
        }
    }

    @Test
    void shallowerAndFewerLayers() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net =
                    ResNets.basic(1, 1)
                            .optWidths(4, 8)
                            .optNumClasses(3)
                            .optStem(ResNet18.Stem.SMALL)
                            .build();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 1, 16, 16));
            Map<String, Parameter> tv = ResNets.torchvisionParameters(net);
            assertEquals(new Shape(4, 1, 3, 3), tv.get("conv1.weight").getArray().getShape());
            assertEquals(
                    new Shape(8, 4, 1, 1),
                    tv.get("layer2.0.downsample.0.weight").getArray().getShape());
            assertFalse(tv.containsKey("layer3.0.conv1.weight"));
            assertEquals(new Shape(3, 8), tv.get("fc.weight").getArray().getShape());
        }
    }

    @Test
    void rejectsInconsistentOptions() {
        assertThrows(IllegalArgumentException.class, () -> ResNet18.builder().optWidths(8, 16, 32));
        assertThrows(
                IllegalArgumentException.class, () -> ResNet18.builder().optWidths(8, 16, 0, 64));
        assertThrows(IllegalArgumentException.class, () -> ResNets.basic());
        assertThrows(IllegalArgumentException.class, () -> ResNets.basic(2, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> ResNets.basic(2, 2).optWidths(4, 8).optBlocks(1, 1, 1));
        assertEquals(
                "ResNet(blocks=[3, 4, 6, 3], widths=[64, 128, 256, 512], classes=1000,"
                        + " stem=IMAGENET)",
                ResNet34.builder().toString());
    }
}
