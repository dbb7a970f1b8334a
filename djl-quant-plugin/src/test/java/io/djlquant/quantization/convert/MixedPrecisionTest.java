package io.djlquant.quantization.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.Batchifier;
import io.djlquant.qat.QatTestNets;
import io.djlquant.quantization.QConfigs;
import io.djlquant.quantized.FloatFallback;
import io.djlquant.quantized.QuantizedModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accuracy-aware mixed-precision search on the small residual CNN with 4-bit weights, where
 * "accuracy" is top-1 agreement with the float model on fixed random inputs.
 */
class MixedPrecisionTest {

    private static final Shape EVAL = new Shape(256, 3, 8, 8);

    private NDManager manager;
    private SequentialBlock net;
    private NDArray evalInputs;
    private int[] floatTop1;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
        manager.getEngine().setRandomSeed(11);
        net = QatTestNets.smallCnn();
        QatTestNets.init(net, manager, QatTestNets.INPUT);
        evalInputs = manager.randomUniform(-2f, 2f, EVAL);
        floatTop1 = top1(net);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private int[] top1(Block model) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray y =
                    model.forward(new ParameterStore(scope, false), new NDList(evalInputs), false)
                            .singletonOrThrow();
            return y.argMax(1).toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
        }
    }

    private double agreement(Block model) {
        int[] got = top1(model);
        int same = 0;
        for (int i = 0; i < got.length; i++) {
            same += got[i] == floatTop1[i] ? 1 : 0;
        }
        return same / (double) got.length;
    }

    private void calibrate(Block qfloat) {
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            NDArray x = manager.randomUniform(-2f, 2f, QatTestNets.INPUT);
            batches.add(
                    new Batch(
                            manager,
                            new NDList(x),
                            new NDList(x),
                            1,
                            Batchifier.STACK,
                            Batchifier.STACK,
                            i,
                            4));
        }
        Quantizer.calibrate(qfloat, batches, 4);
    }

    @Test
    void keepsTheMostSensitiveLayersInFloatUntilTheBudgetIsMet(@TempDir Path dir) throws Exception {
        MixedPrecision.Result r =
                MixedPrecision.search(
                        net, QConfigs.int4Weights(), this::calibrate, this::agreement, 0.0, 4);
        System.out.print(r.table());
        assertEquals(1.0, r.floatAccuracy());
        MixedPrecision.Trial all = r.trials().get(0);
        assertTrue(all.floatLayers().isEmpty());
        assertTrue(
                all.accuracy() < 1.0,
                "4-bit weights must change some predictions: " + all.accuracy());
        // three convs and the linear layer, most sensitive first
        assertEquals(4, r.sensitivities().size());
        for (int i = 1; i < r.sensitivities().size(); i++) {
            assertTrue(
                    r.sensitivities().get(i - 1).accuracy() >= r.sensitivities().get(i).accuracy());
        }
        // every trial keeps a prefix of the ranking in float; the search stops at the first that
        // meets the budget
        for (int t = 1; t < r.trials().size(); t++) {
            List<String> kept = r.trials().get(t).floatLayers();
            assertEquals(t, kept.size());
            for (int i = 0; i < t; i++) {
                assertEquals(r.sensitivities().get(i).path(), kept.get(i));
            }
            boolean met = 1.0 - r.trials().get(t).accuracy() <= 0.0;
            assertEquals(
                    t == r.trials().size() - 1 && met,
                    met,
                    "search continued after meeting the budget");
        }
        assertEquals(1.0 - r.chosen().accuracy() <= 0.0, r.budgetMet());
        assertEquals(
                r.chosen().accuracy(),
                agreement(r.qfloat()),
                1e-9,
                "the returned tree is the chosen one");

        // the chosen tree converts with its float layers as Java FloatFallbacks, and saves
        Block q = Quantizer.quantize(r.qfloat());
        List<FloatFallback> fallbacks =
                new ArrayList<>(BlockTree.find(q, FloatFallback.class).values());
        assertEquals(r.chosen().floatLayers().size(), fallbacks.size());
        fallbacks.forEach(f -> assertNotNull(f.getFloatOp(), f.toString()));
        QuantizedModels.save(q, dir.resolve("mixed.jq"), Map.of());
        assertTrue(dir.resolve("mixed.jq").toFile().length() > 0);
    }

    @Test
    void noSearchWhenTheQuantizedModelIsWithinBudget() throws Exception {
        MixedPrecision.Result r =
                MixedPrecision.search(
                        net, QConfigs.int4Weights(), this::calibrate, this::agreement, 1.0, 4);
        assertEquals(1, r.trials().size());
        assertTrue(r.sensitivities().isEmpty());
        assertTrue(r.budgetMet());
        assertTrue(BlockTree.find(r.qfloat(), io.djlquant.qat.FloatFallback.class).isEmpty());
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MixedPrecision.search(
                                        net,
                                        QConfigs.int4Weights(),
                                        this::calibrate,
                                        this::agreement,
                                        -0.1,
                                        4));
        assertTrue(e.getMessage().contains("maxDrop"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MixedPrecision.search(
                                        net, null, this::calibrate, this::agreement, 0.1, 4));
        assertTrue(e.getMessage().contains("QConfig"), e.getMessage());
    }
}
