package io.djlquant.qat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * QAT gradients must not depend on when the garbage collector runs.
 *
 * <p>DJL's PyTorch engine wraps Java direct buffers for the numbers of {@code mul(float)}, {@code
 * div(float)} and {@code clip(lo, hi)}; if autograd keeps such a tensor for backward and the buffer
 * is collected in between, backward reads freed memory. That gave intermittent NaN in QAT
 * fine-tuning on Fashion-MNIST. Here a collection (and re-use of the freed native memory) is forced
 * between forward and backward, and the gradients must equal those of an undisturbed pass.
 */
class QatGcBetweenPassesTest {

    @Test
    void emaPerChannel() {
        check(QConfigs.emaFakeQuantPerChannel());
    }

    @Test
    void minMaxPerTensor() {
        check(QConfigs.minMaxFakeQuant());
    }

    @Test
    void lsq() {
        check(QConfigs.lsq());
    }

    @Test
    void tqt() {
        check(QConfigs.tqt());
    }

    private void check(QConfig qconfig) {
        try (Model model = Model.newInstance("qat-gc", "PyTorch")) {
            NDManager m = model.getNDManager();
            SequentialBlock net = QatTestNets.smallCnn();
            Shape in = new Shape(8, 3, 8, 8);
            QatTestNets.init(net, m, in);
            Block qat = Quantizer.quantizeQat(net, qconfig);
            model.setBlock(qat);
            NDArray x = m.randomNormal(in);
            NDArray y = m.randomInteger(0, 4, new Shape(8), ai.djl.ndarray.types.DataType.INT32);
            try (Trainer trainer =
                    model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
                trainer.initialize(in);
                // freeze observers so both passes see the same scales
                trainer.forward(new NDList(x));
                Quantizer.enableObserver(qat, false);
                Map<String, float[]> quiet = gradients(trainer, qat, x, y, false);
                Map<String, float[]> disturbed = gradients(trainer, qat, x, y, true);
                for (Map.Entry<String, float[]> e : quiet.entrySet()) {
                    assertArrayEquals(
                            e.getValue(),
                            disturbed.get(e.getKey()),
                            0f,
                            "gradient of "
                                    + e.getKey()
                                    + " changed by a GC between forward and backward");
                }
            }
        }
    }

    private static Map<String, float[]> gradients(
            Trainer trainer, Block qat, NDArray x, NDArray y, boolean collectInBetween) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (GradientCollector gc = trainer.newGradientCollector()) {
            gc.zeroGradients();
            NDList pred = trainer.forward(new NDList(x));
            NDArray loss = trainer.getLoss().evaluate(new NDList(y), pred);
            if (collectInBetween) {
                churnNativeMemory();
            }
            gc.backward(loss);
        }
        for (Pair<String, Parameter> p : qat.getParameters()) {
            NDArray a = p.getValue().getArray();
            if (p.getValue().requiresGradient() && a.hasGradient()) {
                out.put(p.getKey(), a.getGradient().toFloatArray());
            }
        }
        return out;
    }

    /** Collects garbage, lets the cleaners free direct buffers, then re-uses that memory. */
    private static void churnNativeMemory() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            List<ByteBuffer> fill = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 4) * 4);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                fill.add(b);
            }
            fill.clear();
        }
    }
}
