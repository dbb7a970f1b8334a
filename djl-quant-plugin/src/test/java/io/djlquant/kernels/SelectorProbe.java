package io.djlquant.kernels;

/**
 * Main class run in a child JVM by {@link KernelSelectorTest}: uses the kernels twice, prints the
 * choice.
 */
final class SelectorProbe {

    private SelectorProbe() {}

    public static void main(String[] args) {
        ActivationQuant q = ActivationQuant.uint8(1f, 0);
        PackedLinearWeights w = PackedLinearWeights.pack(new byte[] {2}, 1, 1, null);
        Int8Kernels.linear(new byte[] {3}, 1, q, w, new float[] {1f}, q, false);
        Int8Kernels.linear(new byte[] {4}, 1, q, w, new float[] {1f}, q, false);
        System.out.println("IMPL=" + Int8Kernels.implementationName());
    }
}
