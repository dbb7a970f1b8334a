package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The warm-up's shapes are valid inputs for every implementation (no index outside an array), and
 * its convolutions take every path.
 */
class KernelWarmUpTest {

    @Test
    void runsOnBothImplementations() {
        assertTrue(KernelWarmUp.run(TestData.SCALAR, 1) >= 1);
        assertTrue(KernelWarmUp.run(TestData.SIMD, 1) >= 1);
    }

    @Test
    void convolutionsVisitEveryStrategy() {
        assertEquals(
                java.util.EnumSet.allOf(ConvKernel.Strategy.class), KernelWarmUp.convStrategies());
    }
}
