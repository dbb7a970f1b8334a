package io.djlquant.kernels;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls the SIMD products until C2 has compiled them (see {@link C2Code}), in the rounds of {@link
 * KernelWarmUp}: shapes that visit every loop, then many cheap calls. Under QEMU's SVE emulation
 * the real shapes alone did not get {@code gemmBroadcast} (a tile walker without a hot loop)
 * compiled in 15 minutes; the cheap calls do it in seconds.
 */
public final class SimdWarmUp {

    /**
     * The methods whose C2 code the checks wait for: the entry points of the SIMD products (the
     * blocks they call are compiled with them, or inlined into them) and the pair block, too large
     * to be inlined. {@code Int8ImplTest} checks that these names exist, so a rename fails on x86
     * first instead of making the aarch64 check wait forever.
     */
    public static final List<String> VECTOR_METHODS =
            List.of("gemmDot", "gemmBroadcast", "gemmPairs", C2Code.pairBlock());

    private SimdWarmUp() {}

    /**
     * Warms up until every method of {@link #VECTOR_METHODS} runs C2 code or {@code timeoutSeconds}
     * pass.
     *
     * @return seconds taken
     * @throws IllegalStateException on timeout, naming the methods still not compiled
     */
    public static double untilCompiled(C2Code c2, int timeoutSeconds) throws IOException {
        long start = System.nanoTime();
        long deadline = start + timeoutSeconds * 1_000_000_000L;
        int rounds = 0;
        while (true) {
            KernelWarmUp.run(TestData.SIMD, 0);
            rounds++;
            if (rounds % 200 == 0) {
                List<String> missing = new ArrayList<>();
                for (String method : VECTOR_METHODS) {
                    if (c2.liveIds(PanamaInt8Impl.class, method).isEmpty()) {
                        missing.add(method);
                    }
                }
                if (missing.isEmpty()) {
                    return (System.nanoTime() - start) / 1e9;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "C2 did not compile "
                                    + missing
                                    + " within "
                                    + timeoutSeconds
                                    + " s ("
                                    + rounds
                                    + " warm-up rounds)");
                }
            }
        }
    }
}
