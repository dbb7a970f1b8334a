package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The warm-up's shapes are valid inputs for every implementation (no index outside an array). */
class KernelWarmUpTest {

    @Test
    void runsOnBothImplementations() {
        assertTrue(KernelWarmUp.run(TestData.SCALAR, 1) >= 1);
        assertTrue(KernelWarmUp.run(TestData.SIMD, 1) >= 1);
    }
}
