package io.djlquant.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import org.junit.jupiter.api.Test;

/**
 * QAT forwards must not leave arrays behind in the parameters' manager: the folded and
 * fake-quantized weights are recomputed every step, and a model-lifetime manager would otherwise
 * grow by a copy of every weight per step (the ResNet18 workflow ran out of 24 GB that way).
 */
class QatMemoryTest {

    @Test
    void trainingStepsLeaveNoArraysInTheModelManager() {
        try (NDManager model = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net = QatTestNets.wideNet();
            QatTestNets.init(net, model, QatTestNets.INPUT);
            Block qat = Quantizer.quantizeQat(net, QConfigs.emaFakeQuantPerChannel());
            ParameterStore ps = new ParameterStore(model, false);
            step(qat, ps, model, true);
            int before = ((BaseNDManager) model).getManagedArrays().size();
            for (int i = 0; i < 5; i++) {
                step(qat, ps, model, true);
                step(qat, ps, model, false);
            }
            assertEquals(
                    before,
                    ((BaseNDManager) model).getManagedArrays().size(),
                    "arrays left in the model manager after 10 QAT forwards");
        }
    }

    private static void step(Block qat, ParameterStore ps, NDManager model, boolean training) {
        try (NDManager batch = model.newSubManager();
                GradientCollector gc = model.getEngine().newGradientCollector()) {
            NDArray x = batch.randomNormal(QatTestNets.INPUT);
            NDArray y = qat.forward(ps, new NDList(x), training).head();
            if (training) {
                gc.backward(y.square().sum());
            }
        }
    }
}
