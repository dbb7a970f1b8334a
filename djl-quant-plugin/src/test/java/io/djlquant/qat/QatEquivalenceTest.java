package io.djlquant.qat;

import static io.djlquant.qat.QatTestNets.maxDiff;
import static io.djlquant.qat.QatTestNets.run;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.util.Pair;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With fake quant and observers off, the QAT tree computes exactly what the float tree computes.
 */
class QatEquivalenceTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private Block floatQat(SequentialBlock net) {
        QatTestNets.init(net, manager, QatTestNets.INPUT);
        Block qat = Quantizer.quantizeQat(net, QConfigs.emaFakeQuantPerChannel());
        Quantizer.enableFakeQuant(qat, false);
        Quantizer.enableObserver(qat, false);
        return qat;
    }

    @Test
    void inferenceMatchesFloat() {
        for (Supplier<SequentialBlock> s :
                Arrays.<Supplier<SequentialBlock>>asList(
                        QatTestNets::smallCnn, QatTestNets::wideNet)) {
            SequentialBlock net = s.get();
            Block qat = floatQat(net);
            NDArray x = manager.randomNormal(QatTestNets.INPUT);
            NDArray yf = run(net, manager, x, false);
            NDArray yq = run(qat, manager, x, false);
            float d = maxDiff(yf, yq);
            assertTrue(d < 1e-5f, "inference differs by " + d);
            // the output is not trivially zero, so the bound means something
            assertTrue(yf.abs().max().getFloat() > 1e-2f);
        }
    }

    @Test
    void trainingMatchesFloatIncludingRunningStats() {
        for (Supplier<SequentialBlock> s :
                Arrays.<Supplier<SequentialBlock>>asList(
                        QatTestNets::smallCnn, QatTestNets::wideNet)) {
            SequentialBlock net = s.get();
            Block qat = floatQat(net);
            NDArray x = manager.randomNormal(QatTestNets.INPUT).mul(2f).add(0.5f);
            Map<Parameter, float[]> before = QatTestNets.snapshot(net);

            NDArray yf = run(net, manager, x, true);
            Map<Parameter, float[]> floatAfter = QatTestNets.snapshot(net);
            QatTestNets.restore(before);
            NDArray yq = run(qat, manager, x, true);
            Map<Parameter, float[]> qatAfter = QatTestNets.snapshot(net);

            float d = maxDiff(yf, yq);
            assertTrue(d < 1e-4f, "training forward differs by " + d);
            int runningStats = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                Parameter param = p.getValue();
                float[] f = floatAfter.get(param);
                float[] q = qatAfter.get(param);
                for (int i = 0; i < f.length; i++) {
                    assertTrue(
                            Math.abs(f[i] - q[i]) < 1e-5f * Math.max(1f, Math.abs(f[i])),
                            p.getKey() + "[" + i + "]: float " + f[i] + " vs qat " + q[i]);
                }
                if (p.getKey().endsWith("runningMean") || p.getKey().endsWith("runningVar")) {
                    runningStats++;
                    // the update really happened (so equality is not vacuous)
                    assertNotEquals(before.get(param)[0], q[0], p.getKey() + " was not updated");
                }
            }
            assertTrue(
                    runningStats >= 4, "expected batch norms in the model, found " + runningStats);
        }
    }

    @Test
    void frozenBatchNormFoldsRunningStatsAndKeepsThem() {
        SequentialBlock net = QatTestNets.smallCnn();
        Block qat = floatQat(net);
        Quantizer.freezeBatchNorm(qat);
        NDArray x = manager.randomNormal(QatTestNets.INPUT);
        Map<Parameter, float[]> before = QatTestNets.snapshot(net);
        NDArray yTrain = run(qat, manager, x, true);
        Map<Parameter, float[]> after = QatTestNets.snapshot(net);
        before.forEach(
                (p, v) -> assertTrue(Arrays.equals(v, after.get(p)), p.getName() + " changed"));
        // frozen training forward == inference forward == float inference
        NDArray yEval = run(qat, manager, x, false);
        assertTrue(maxDiff(yTrain, yEval) < 1e-6f);
        assertTrue(maxDiff(run(net, manager, x, false), yEval) < 1e-5f);
    }
}
