package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.djlquant.qat.QatTestNets;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantization.convert.Quantizer;
import java.lang.reflect.Field;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Int8 inference must not leave managers behind in any engine. A quantized {@code Residual} once
 * built DJL's no-argument {@code ParameterStore()} per call, which opens a PyTorch base manager
 * that nothing closes: eight per ResNet18 prediction, found as heap growth by the soak run.
 */
class ForwardLeavesNoManagersTest {

    @Test
    void quantizedResidualNetOnJavaQuant() throws Exception {
        NDManager ptRoot = Engine.getEngine("PyTorch").newBaseManager();
        BaseNDManager ptSystem = (BaseNDManager) ptRoot.getParentManager();
        try (NDManager pt = ptRoot) {
            Block net = QatTestNets.smallCnn();
            QatTestNets.init(net, pt, QatTestNets.INPUT);
            Block qat = Quantizer.quantizeQat(net, QConfigs.calibration());
            NDArray calib = pt.randomNormal(QatTestNets.INPUT);
            qat.forward(new ParameterStore(pt, false), new NDList(calib), false);
            Quantizer.enableObserver(qat, false);
            Block q = Quantizer.quantize(qat);
            try (NDManager jq = Engine.getEngine("JavaQuant").newBaseManager()) {
                NDArray x = jq.from(calib);
                ParameterStore ps = new ParameterStore(jq, false);
                q.forward(ps, new NDList(x), false); // first call may create lasting state
                int before = children(ptSystem);
                for (int i = 0; i < 50; i++) {
                    try (NDManager call = jq.newSubManager()) {
                        q.forward(ps, new NDList(x.duplicate()), false).attach(call);
                    }
                }
                assertEquals(
                        before,
                        children(ptSystem),
                        "PyTorch managers left open by 50 int8 forward passes on JavaQuant");
            }
        }
    }

    /** Managers and arrays directly under a manager; DJL has no public count, so read its map. */
    private static int children(BaseNDManager manager) throws ReflectiveOperationException {
        Field f = BaseNDManager.class.getDeclaredField("resources");
        f.setAccessible(true);
        return ((Map<?, ?>) f.get(manager)).size();
    }
}
