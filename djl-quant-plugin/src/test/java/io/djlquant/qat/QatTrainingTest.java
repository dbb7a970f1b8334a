package io.djlquant.qat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** QAT fine-tuning with DJL's Trainer lowers the loss and trains the float model's weights. */
class QatTrainingTest {

    @Test
    void fineTuneLowersLossAndTrainsFloatWeights() {
        fineTune(QConfigs.emaFakeQuantPerChannel());
    }

    private void fineTune(QConfig qconfig) {
        try (Model model = Model.newInstance("qat-train", "PyTorch")) {
            NDManager m = model.getNDManager();
            SequentialBlock net = QatTestNets.smallCnn();
            Shape in = new Shape(32, 3, 8, 8);
            QatTestNets.init(net, m, in);
            Block qat = Quantizer.quantizeQat(net, qconfig);
            model.setBlock(qat);

            // learnable synthetic task: the class is the sign pattern of the means of channels 0, 1
            NDArray x = m.randomNormal(in).add(m.randomNormal(new Shape(32, 3, 1, 1)));
            NDArray means = x.mean(new int[] {3}).mean(new int[] {2});
            NDArray c0 = means.get(":, 0").gt(0).toType(DataType.INT32, false);
            NDArray c1 = means.get(":, 1").gt(0).toType(DataType.INT32, false);
            NDArray y = c0.add(c1.mul(2));

            float[] weightBefore =
                    ((io.djlquant.nn.PlainLinear) net.getChildren().get(5).getValue())
                            .getWeight()
                            .getArray()
                            .toFloatArray();
            DefaultTrainingConfig cfg =
                    new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                            .optOptimizer(
                                    Optimizer.sgd()
                                            .setLearningRateTracker(Tracker.fixed(0.1f))
                                            .build());
            List<Float> losses = new ArrayList<>();
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(in);
                for (int step = 0; step < 6; step++) {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList pred = trainer.forward(new NDList(x));
                        NDArray loss = trainer.getLoss().evaluate(new NDList(y), pred);
                        gc.backward(loss);
                        losses.add(loss.getFloat());
                    }
                    trainer.step();
                }
            }
            float first = losses.get(0);
            float last = Math.min(losses.get(losses.size() - 1), losses.get(losses.size() - 2));
            assertTrue(last < 0.9f * first, "loss did not fall enough: " + losses);
            float[] weightAfter =
                    ((io.djlquant.nn.PlainLinear) net.getChildren().get(5).getValue())
                            .getWeight()
                            .getArray()
                            .toFloatArray();
            assertFalse(Arrays.equals(weightBefore, weightAfter), "float weights were not trained");
            // the float tree still works on its own
            NDArray yf = QatTestNets.run(net, m, x, false);
            assertTrue(yf.getShape().equals(new Shape(32, 4)));
        }
    }
}
