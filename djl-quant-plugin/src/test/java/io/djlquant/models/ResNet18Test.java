package io.djlquant.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.djlquant.nn.ConvBn2d;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResNet18Test {

    /** torchvision's resnet18: 11,689,512 trainable parameters (its published figure). */
    private static final long TORCHVISION_TRAINABLE = 11_689_512L;

    @Test
    void imagenetLayoutMatchesTorchvision() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net = ResNet18.builder().build();
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            Map<String, Parameter> tv = ResNet18.torchvisionParameters(net);
            // 20 convolutions, 20 batch norms with 4 tensors each, fc weight and bias
            assertEquals(20 + 20 * 4 + 2, tv.size());
            long trainable = 0;
            for (Map.Entry<String, Parameter> e : tv.entrySet()) {
                if (!e.getKey().contains("running_")) {
                    trainable += e.getValue().getArray().getShape().size();
                }
            }
            assertEquals(TORCHVISION_TRAINABLE, trainable);
            assertEquals(new Shape(64, 3, 7, 7), tv.get("conv1.weight").getArray().getShape());
            assertEquals(
                    new Shape(128, 64, 1, 1),
                    tv.get("layer2.0.downsample.0.weight").getArray().getShape());
            assertEquals(new Shape(512), tv.get("layer4.1.bn2.running_var").getArray().getShape());
            assertEquals(new Shape(1000, 512), tv.get("fc.weight").getArray().getShape());
            NDList out =
                    net.forward(
                            new ParameterStore(m, false),
                            new NDList(m.randomNormal(new Shape(1, 3, 224, 224))),
                            false);
            assertEquals(new Shape(1, 1000), out.head().getShape());
        }
    }

    @Test
    void smallStemForFashionMnist() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net =
                    ResNet18.builder().optNumClasses(10).optStem(ResNet18.Stem.SMALL).build();
            net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            Map<String, Parameter> tv = ResNet18.torchvisionParameters(net);
            assertEquals(new Shape(64, 3, 3, 3), tv.get("conv1.weight").getArray().getShape());
            NDList out =
                    net.forward(
                            new ParameterStore(m, false),
                            new NDList(m.randomNormal(new Shape(2, 3, 32, 32))),
                            false);
            assertEquals(new Shape(2, 10), out.head().getShape());
            assertTrue(
                    net.getChildren().values().stream()
                            .noneMatch(b -> b instanceof io.djlquant.nn.MaxPool2d));
        }
    }

    @Test
    void rejectsForeignTrees() {
        SequentialBlock other =
                new SequentialBlock()
                        .add(
                                ConvBn2d.builder()
                                        .setFilters(4)
                                        .setKernelShape(new Shape(1, 1))
                                        .build());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ResNet18.torchvisionParameters(other));
        assertTrue(e.getMessage().contains("QuantStub"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ResNet18.builder().optNumClasses(0));
    }
}
