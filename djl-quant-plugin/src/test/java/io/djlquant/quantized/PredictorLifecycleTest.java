package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import io.djlquant.engine.JqNDManager;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every per-call manager of a JavaQuant predictor is closed; a closed model refuses to predict. */
class PredictorLifecycleTest {

    private static final Shape IN = new Shape(2, 3, 8, 8);

    private static Model load(Path dir) throws Exception {
        QuantizedModels.save(HandBuilt.network(7), dir.resolve("net.jq"), Map.of());
        Model model = Model.newInstance("net", "JavaQuant");
        model.load(dir, "net");
        return model;
    }

    /** Output arrays of a NoopTranslator are returned to the caller, so they live in {@code in}. */
    private static NDArray predict(Predictor<NDList, NDList> p, NDManager in, int seed)
            throws Exception {
        NDList out = p.predict(new NDList(QTests.input(in, seed, IN, -2f, 2f)));
        return out.singletonOrThrow();
    }

    @Test
    void resourcesReturnToTheBaselineAfterManyPredictions(@TempDir Path dir) throws Exception {
        try (Model model = load(dir);
                NDManager in = QTests.jq()) {
            JqNDManager manager = (JqNDManager) model.getNDManager();
            int beforePredictor = manager.countResources();
            try (Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator())) {
                predict(p, in, 0).close();
                int baseline = manager.countResources();
                for (int i = 0; i < 300; i++) {
                    try (NDManager call = in.newSubManager()) {
                        predict(p, call, i);
                    }
                }
                assertEquals(
                        baseline, manager.countResources(), "resources left by 300 predictions");
            }
            assertEquals(
                    beforePredictor,
                    manager.countResources(),
                    "resources left by a closed predictor");
        }
    }

    @Test
    void aClosedModelRefusesToPredict(@TempDir Path dir) throws Exception {
        Model model = load(dir);
        try (NDManager in = QTests.jq();
                Predictor<NDList, NDList> p = model.newPredictor(new NoopTranslator())) {
            predict(p, in, 1);
            model.close();
            Exception e = assertThrows(Exception.class, () -> predict(p, in, 2));
            StringBuilder messages = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                messages.append(t).append('\n');
            }
            assertTrue(messages.toString().contains("is closed"), messages.toString());
        }
    }
}
