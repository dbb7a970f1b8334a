package io.djlquant.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each fused linear block against the DJL blocks it replaces, in inference and training. */
class FusedLinearBlocksTest {

    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @ParameterizedTest
    @CsvSource({
        "LinearRelu, true, 1e-5",
        "LinearBn1d, true, 1e-5",
        "LinearBn1d, false, 1e-3",
        "LinearBnRelu1d, false, 2e-5",
        "PlainLinear, true, 1e-5",
        "PlainLinear, false, 1e-5"
    })
    void matchesDjlInInferenceAndTraining(String kind, boolean bias, float eps) {
        try (NDManager m = manager.newSubManager()) {
            boolean withBn = kind.contains("Bn");
            boolean withRelu = kind.contains("Relu");
            Shape in = new Shape(6, 10);
            Linear djlLinear = Linear.builder().setUnits(7).optBias(bias).build();
            BatchNorm djlBn = BatchNorm.builder().optEpsilon(eps).optMomentum(0.7f).build();
            SequentialBlock ref = new SequentialBlock().add(djlLinear);
            if (withBn) {
                ref.add(djlBn);
            }
            if (withRelu) {
                ref.add(Activation.reluBlock());
            }
            TestSupport.randomInit(ref);
            ref.initialize(m, DataType.FLOAT32, in);

            FusedLinear ours;
            switch (kind) {
                case "LinearRelu":
                    ours = LinearRelu.builder().setUnits(7).optBias(bias).build();
                    break;
                case "LinearBn1d":
                    ours =
                            LinearBn1d.builder()
                                    .setUnits(7)
                                    .optBias(bias)
                                    .optEpsilon(eps)
                                    .optMomentum(0.7f)
                                    .build();
                    break;
                case "LinearBnRelu1d":
                    ours =
                            LinearBnRelu1d.builder()
                                    .setUnits(7)
                                    .optBias(bias)
                                    .optEpsilon(eps)
                                    .optMomentum(0.7f)
                                    .build();
                    break;
                default:
                    ours = PlainLinear.builder().setUnits(7).optBias(bias).build();
            }
            assertEquals(withBn, ours.hasBatchNorm());
            assertEquals(withRelu, ours.hasRelu());
            TestSupport.copyParams(djlLinear, ours.getLinear(), m);
            if (withBn) {
                TestSupport.copyParams(djlBn, ours.getBatchNorm(), m);
            }
            ours.initialize(m, DataType.FLOAT32, in);

            NDArray x = m.randomNormal(in);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray refOut = ref.forward(ps, new NDList(x), false).head();
            NDArray ourOut = ours.forward(ps, new NDList(x), false).head();
            assertTrue(TestSupport.maxDiff(refOut, ourOut) < 1e-5f, kind + " inference");
            assertEquals(ours.getOutputShapes(new Shape[] {in})[0], ourOut.getShape());

            NDArray refTrain = ref.forward(ps, new NDList(x), true).head();
            NDArray ourTrain = ours.forward(ps, new NDList(x), true).head();
            assertTrue(TestSupport.maxDiff(refTrain, ourTrain) < 1e-5f, kind + " training");
            if (withBn) {
                assertTrue(TestSupport.maxDiff(refTrain, refOut) > 1e-3f, "batch stats were used");
                for (String stat : new String[] {"runningMean", "runningVar"}) {
                    assertArrayEquals(
                            TestSupport.values(djlBn, stat),
                            TestSupport.values(ours.getBatchNorm(), stat),
                            1e-5f,
                            stat);
                }
            }
        }
    }

    @Test
    void batchNormVariantNeedsTwoDimensionalInput() {
        LinearBn1d b = LinearBn1d.builder().setUnits(3).build();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> b.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 4)));
        assertTrue(e.getMessage().contains("LinearBn1d"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LinearRelu.builder().build());
    }
}
