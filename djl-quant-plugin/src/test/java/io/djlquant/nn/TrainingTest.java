package io.djlquant.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The blocks train with DJL's Trainer: gradients reach conv and batch norm, the loss falls. */
class TrainingTest {

    @Test
    void sgdStepsReduceLoss() {
        SequentialBlock net =
                new SequentialBlock()
                        .add(new QuantStub())
                        .add(
                                ConvBnRelu2d.builder()
                                        .setKernelShape(new Shape(3, 3))
                                        .setFilters(8)
                                        .optPadding(new Shape(1, 1))
                                        .build())
                        .add(
                                new Residual(
                                        ConvBn2d.builder()
                                                .setKernelShape(new Shape(3, 3))
                                                .setFilters(8)
                                                .optPadding(new Shape(1, 1))
                                                .build(),
                                        new Identity(),
                                        new ElementWise(ElementWise.Mode.ADD_RELU)))
                        .add(new MaxPool2d(new Shape(2, 2), new Shape(2, 2), new Shape(0, 0)))
                        .add(new GlobalAvgPool2d())
                        .add(LinearBnRelu1d.builder().setUnits(16).build())
                        .add(PlainLinear.builder().setUnits(4).build())
                        .add(new DequantStub());
        try (Model model = Model.newInstance("float-train", "PyTorch")) {
            model.setBlock(net);
            DefaultTrainingConfig cfg =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                            .optOptimizer(
                                    Optimizer.sgd()
                                            .setLearningRateTracker(Tracker.fixed(0.1f))
                                            .build());
            try (Trainer trainer = model.newTrainer(cfg)) {
                Shape in = new Shape(16, 3, 8, 8);
                trainer.initialize(in);
                NDManager m = trainer.getManager();
                NDArray x = m.randomNormal(in);
                NDArray y = m.randomInteger(0, 4, new Shape(16), DataType.INT32);
                List<Float> losses = new ArrayList<>();
                for (int step = 0; step < 6; step++) {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList pred = trainer.forward(new NDList(x));
                        NDArray loss = trainer.getLoss().evaluate(new NDList(y), pred);
                        gc.backward(loss);
                        losses.add(loss.getFloat());
                    }
                    if (step == 0) {
                        FusedConv2d first = (FusedConv2d) net.getChildren().get(1).getValue();
                        assertNonZeroGradient(first.getWeight().getArray(), "conv weight");
                        assertNonZeroGradient(
                                first.getBatchNormParameter("gamma").getArray(), "bn gamma");
                        Residual r = (Residual) net.getChildren().get(2).getValue();
                        assertNonZeroGradient(
                                ((ConvBn2d) r.getMain()).getWeight().getArray(), "residual conv");
                    }
                    trainer.step();
                }
                assertTrue(losses.get(5) < losses.get(0), "loss did not fall: " + losses);
            }
        }
    }

    private static void assertNonZeroGradient(NDArray param, String what) {
        float g = param.getGradient().abs().sum().getFloat();
        assertTrue(g > 0f, what + " has no gradient");
    }
}
