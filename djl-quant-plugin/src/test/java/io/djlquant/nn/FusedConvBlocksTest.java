package io.djlquant.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each fused convolution block against the DJL blocks it replaces, in inference and training. */
class FusedConvBlocksTest {

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
        // kind, kernel, stride, pad, dilation, groups, bias, eps
        "ConvBnRelu2d, 3, 1, 1, 1, 1, false, 1e-5",
        "ConvBnRelu2d, 3, 2, 1, 1, 2, true, 2e-5",
        "ConvBn2d, 1, 2, 0, 1, 1, false, 1e-3",
        "ConvBn2d, 3, 1, 2, 2, 4, false, 1e-5",
        "ConvRelu2d, 3, 1, 1, 1, 1, true, 1e-5",
        "PlainConv2d, 5, 2, 2, 1, 1, true, 1e-5",
        "PlainConv2d, 3, 1, 0, 1, 1, false, 1e-5"
    })
    void matchesDjlInInferenceAndTraining(
            String kind, int k, int s, int p, int d, int g, boolean bias, float eps) {
        try (NDManager m = manager.newSubManager()) {
            boolean withBn = kind.contains("Bn");
            boolean withRelu = kind.contains("Relu");
            Shape in = new Shape(4, 4, 9, 9);
            Conv2d djlConv =
                    Conv2d.builder()
                            .setKernelShape(new Shape(k, k))
                            .setFilters(8)
                            .optStride(new Shape(s, s))
                            .optPadding(new Shape(p, p))
                            .optDilation(new Shape(d, d))
                            .optGroups(g)
                            .optBias(bias)
                            .build();
            BatchNorm djlBn = BatchNorm.builder().optEpsilon(eps).optMomentum(0.8f).build();
            SequentialBlock ref = new SequentialBlock().add(djlConv);
            if (withBn) {
                ref.add(djlBn);
            }
            if (withRelu) {
                ref.add(Activation::relu);
            }
            TestSupport.randomInit(ref);
            ref.initialize(m, DataType.FLOAT32, in);

            FusedConv2d.BaseBuilder<?> b;
            switch (kind) {
                case "ConvBnRelu2d":
                    b = ConvBnRelu2d.builder();
                    break;
                case "ConvBn2d":
                    b = ConvBn2d.builder();
                    break;
                case "ConvRelu2d":
                    b = ConvRelu2d.builder();
                    break;
                default:
                    b = PlainConv2d.builder();
            }
            b.setKernelShape(new Shape(k, k))
                    .setFilters(8)
                    .optStride(new Shape(s, s))
                    .optPadding(new Shape(p, p))
                    .optDilation(new Shape(d, d))
                    .optGroups(g)
                    .optBias(bias)
                    .optEpsilon(eps)
                    .optMomentum(0.8f);
            FusedConv2d ours = b.build();
            assertEquals(kind, ours.getClass().getSimpleName());
            assertEquals(withBn, ours.hasBatchNorm());
            assertEquals(withRelu, ours.hasRelu());
            TestSupport.copyParams(djlConv, ours.getConv(), m);
            if (withBn) {
                TestSupport.copyParams(djlBn, ours.getBatchNorm(), m);
            }
            ours.initialize(m, DataType.FLOAT32, in);
            assertEquals(
                    ref.getOutputShapes(new Shape[] {in})[0],
                    ours.getOutputShapes(new Shape[] {in})[0]);

            NDArray x = m.randomNormal(in);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray refOut = ref.forward(ps, new NDList(x), false).head();
            NDArray ourOut = ours.forward(ps, new NDList(x), false).head();
            assertTrue(TestSupport.maxDiff(refOut, ourOut) < 1e-5f, kind + " inference");
            assertEquals(ours.getOutputShapes(new Shape[] {in})[0], ourOut.getShape());

            // training mode: batch statistics, and the running stats must move identically
            float[] meanBefore = withBn ? TestSupport.values(djlBn, "runningMean") : null;
            NDArray refTrain = ref.forward(ps, new NDList(x), true).head();
            NDArray ourTrain = ours.forward(ps, new NDList(x), true).head();
            assertTrue(TestSupport.maxDiff(refTrain, ourTrain) < 1e-5f, kind + " training");
            if (withBn) {
                assertTrue(TestSupport.maxDiff(refTrain, refOut) > 1e-3f, "batch stats were used");
                float[] meanAfter = TestSupport.values(djlBn, "runningMean");
                assertFalse(Arrays.equals(meanBefore, meanAfter), "running mean was updated");
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

    /**
     * Pins down the batch norm semantics QAT code must reproduce: training mode normalises with the
     * biased batch variance, and running stats move by {@code m * old + (1 - m) * batch} with DJL's
     * momentum m and the unbiased batch variance.
     */
    @Test
    void batchNormSemanticsForQat() {
        try (NDManager m = manager.newSubManager()) {
            float momentum = 0.75f;
            float eps = 1e-3f;
            ConvBn2d c =
                    ConvBn2d.builder()
                            .setKernelShape(new Shape(3, 3))
                            .setFilters(5)
                            .optPadding(new Shape(1, 1))
                            .optEpsilon(eps)
                            .optMomentum(momentum)
                            .build();
            TestSupport.randomInit(c);
            Shape in = new Shape(3, 2, 6, 6);
            c.initialize(m, DataType.FLOAT32, in);
            NDArray x = m.randomNormal(in);
            NDArray oldMean = c.getBatchNormParameter("runningMean").getArray().duplicate();
            NDArray oldVar = c.getBatchNormParameter("runningVar").getArray().duplicate();
            NDArray y = c.forward(new ParameterStore(m, false), new NDList(x), true).head();

            NDArray z = c.convolve(x, c.getWeight().getArray(), null);
            long n = z.size() / z.getShape().get(1);
            // per channel over N, H, W (DJL's PyTorch mean takes one axis at a time)
            NDArray perChannel = z.transpose(1, 0, 2, 3).reshape(z.getShape().get(1), -1);
            NDArray mean = perChannel.mean(new int[] {1});
            NDArray centered = z.sub(mean.reshape(1, -1, 1, 1));
            NDArray biasedVar = perChannel.sub(mean.reshape(-1, 1)).square().mean(new int[] {1});
            NDArray gamma = c.getBatchNormParameter("gamma").getArray().reshape(1, -1, 1, 1);
            NDArray beta = c.getBatchNormParameter("beta").getArray().reshape(1, -1, 1, 1);
            NDArray expected =
                    centered.div(biasedVar.add(eps).sqrt().reshape(1, -1, 1, 1))
                            .mul(gamma)
                            .add(beta);
            assertTrue(TestSupport.maxDiff(expected, y) < 1e-4f, "training-mode output");

            NDArray expMean = oldMean.mul(momentum).add(mean.mul(1 - momentum));
            NDArray unbiasedVar = biasedVar.mul((float) n / (n - 1));
            NDArray expVar = oldVar.mul(momentum).add(unbiasedVar.mul(1 - momentum));
            assertTrue(
                    TestSupport.maxDiff(expMean, c.getBatchNormParameter("runningMean").getArray())
                            < 1e-5f);
            assertTrue(
                    TestSupport.maxDiff(expVar, c.getBatchNormParameter("runningVar").getArray())
                            < 1e-5f);
        }
    }

    @Test
    void exposesConfigForQat() {
        ConvBnRelu2d c =
                ConvBnRelu2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .setFilters(6)
                        .optStride(new Shape(2, 2))
                        .optPadding(new Shape(1, 1))
                        .optGroups(3)
                        .optEpsilon(1e-3f)
                        .build();
        assertEquals(new Shape(3, 3), c.getKernelShape());
        assertEquals(new Shape(2, 2), c.getStride());
        assertEquals(new Shape(1, 1), c.getPadding());
        assertEquals(new Shape(1, 1), c.getDilation());
        assertEquals(3, c.getGroups());
        assertEquals(6, c.getFilters());
        assertFalse(c.isIncludeBias(), "conv before batch norm has no bias by default");
        assertTrue(
                ConvRelu2d.builder()
                        .setKernelShape(new Shape(1, 1))
                        .setFilters(1)
                        .build()
                        .isIncludeBias());
        assertEquals(1e-3f, c.getEpsilon());
        assertEquals(0.9f, c.getMomentum());
        assertEquals(c.getConv().getGroups(), 3);
        c.initialize(manager, DataType.FLOAT32, new Shape(1, 6, 8, 8));
        assertEquals(new Shape(6, 2, 3, 3), c.getWeight().getArray().getShape());
        assertEquals(null, c.getBias());
        assertEquals(new Shape(6), c.getBatchNormParameter("runningVar").getArray().getShape());
        assertTrue(c.toString().startsWith("ConvBnRelu2d("), c.toString());
    }

    @Test
    void rejectsBadConfigAndInput() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                ConvBn2d.builder()
                                        .setKernelShape(new Shape(3, 3))
                                        .setFilters(6)
                                        .optGroups(4)
                                        .build());
        assertTrue(e.getMessage().contains("ConvBn2d"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> ConvBn2d.builder().setFilters(6).build());
        ConvBn2d c = ConvBn2d.builder().setKernelShape(new Shape(1, 1)).setFilters(2).build();
        c.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 4, 4));
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                c.forward(
                                        new ParameterStore(manager, false),
                                        new NDList(manager.ones(new Shape(2, 4, 4))),
                                        false));
        assertTrue(
                e.getMessage().contains("ConvBn2d") && e.getMessage().contains("rank"),
                e.getMessage());
    }
}
