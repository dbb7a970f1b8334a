package io.djlquant.qat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.djlquant.dataset.FashionMnist;
import io.djlquant.nn.ConvBn2d;
import io.djlquant.nn.ConvBnRelu2d;
import io.djlquant.nn.DequantStub;
import io.djlquant.nn.ElementWise;
import io.djlquant.nn.GlobalAvgPool2d;
import io.djlquant.nn.Identity;
import io.djlquant.nn.PlainLinear;
import io.djlquant.nn.QuantStub;
import io.djlquant.nn.Residual;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** QAT fine-tuning of a small residual CNN on real Fashion-MNIST images lowers the loss. */
class QatFashionMnistTest {

    private static Shape s(long a, long b) {
        return new Shape(a, b);
    }

    static SequentialBlock residualNet() {
        SequentialBlock main =
                new SequentialBlock()
                        .add(
                                ConvBnRelu2d.builder()
                                        .setKernelShape(s(3, 3))
                                        .setFilters(16)
                                        .optPadding(s(1, 1))
                                        .build())
                        .add(
                                ConvBn2d.builder()
                                        .setKernelShape(s(3, 3))
                                        .setFilters(16)
                                        .optPadding(s(1, 1))
                                        .build());
        return new SequentialBlock()
                .add(new QuantStub())
                .add(
                        ConvBnRelu2d.builder()
                                .setKernelShape(s(3, 3))
                                .setFilters(16)
                                .optStride(s(2, 2))
                                .optPadding(s(1, 1))
                                .build())
                .add(new Residual(main, new Identity(), new ElementWise(ElementWise.Mode.ADD_RELU)))
                .add(new GlobalAvgPool2d())
                .add(PlainLinear.builder().setUnits(10).build())
                .add(new DequantStub());
    }

    @Test
    void qatOnFashionMnistLowersLoss() throws Exception {
        FashionMnist train =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TRAIN)
                        .optLimit(1024)
                        .setSampling(64, true)
                        .build();
        train.prepare();
        try (Model model = Model.newInstance("qat-fmnist", "PyTorch")) {
            SequentialBlock net = residualNet();
            Shape in = new Shape(64, 1, 28, 28);
            QatTestNets.init(net, model.getNDManager(), in);
            Block qat = Quantizer.quantizeQat(net, QConfigs.emaFakeQuantPerChannel());
            model.setBlock(qat);
            DefaultTrainingConfig cfg =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                            .optOptimizer(
                                    Optimizer.sgd()
                                            .setLearningRateTracker(Tracker.fixed(0.05f))
                                            .optMomentum(0.9f)
                                            .build());
            List<Float> losses = new ArrayList<>();
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(in);
                int step = 0;
                for (int epoch = 0; epoch < 2; epoch++) {
                    for (Batch batch : trainer.iterateDataset(train)) {
                        try (batch) {
                            try (ai.djl.training.GradientCollector gc =
                                    trainer.newGradientCollector()) {
                                NDList pred = trainer.forward(batch.getData());
                                NDArray loss = trainer.getLoss().evaluate(batch.getLabels(), pred);
                                gc.backward(loss);
                                losses.add(loss.getFloat());
                            }
                            String bad = firstNonFinite(qat, true);
                            if (bad != null) {
                                throw new AssertionError(
                                        "step "
                                                + step
                                                + ": non-finite gradient in "
                                                + bad
                                                + " losses "
                                                + losses);
                            }
                            trainer.step();
                            bad = firstNonFinite(qat, false);
                            if (bad != null) {
                                throw new AssertionError(
                                        "step "
                                                + step
                                                + ": non-finite value in "
                                                + bad
                                                + " losses "
                                                + losses);
                            }
                            step++;
                        }
                    }
                }
            }
            System.out.println("losses " + losses);
            float first = mean(losses.subList(0, 4));
            float last = mean(losses.subList(losses.size() - 4, losses.size()));
            assertTrue(last < 0.8f * first, "loss did not fall: " + losses);
        }
    }

    private static String firstNonFinite(Block b, boolean grad) {
        for (Pair<String, Parameter> p : b.getParameters()) {
            NDArray a = p.getValue().getArray();
            if (grad) {
                if (!p.getValue().requiresGradient() || !a.hasGradient()) {
                    continue;
                }
                a = a.getGradient();
            }
            for (float v : a.toFloatArray()) {
                if (!Float.isFinite(v)) {
                    return p.getKey();
                }
            }
        }
        return null;
    }

    private static float mean(List<Float> v) {
        float s = 0;
        for (float f : v) {
            s += f;
        }
        return s / v.size();
    }
}
