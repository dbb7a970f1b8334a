package io.djlquant.kernels;

/**
 * Linear (fully connected) weights prepared once for {@link Int8Kernels#linear}: int8 symmetric
 * per-channel weights of shape (out, in), bytes read signed, kept as bytes (a private copy: the
 * layer's only one), plus an optional int32 bias. Immutable after packing; safe to share between
 * threads.
 */
public final class PackedLinearWeights {

    private final int outFeatures;
    private final int inFeatures;

    /** [outFeatures][inFeatures]. */
    final byte[] weights;

    /** Per output feature, or null. */
    final int[] bias;

    private PackedLinearWeights(int outFeatures, int inFeatures, byte[] weights, int[] bias) {
        this.outFeatures = outFeatures;
        this.inFeatures = inFeatures;
        this.weights = weights;
        this.bias = bias;
    }

    /**
     * Packs (out, in) int8 weights.
     *
     * @param weights length {@code outFeatures * inFeatures}, row-major (out, in), signed int8
     * @param outFeatures number of outputs
     * @param inFeatures number of inputs
     * @param bias int32 bias per output (scale inputScale*weightScale[o]) or null
     * @return the packed weights
     */
    public static PackedLinearWeights pack(
            byte[] weights, int outFeatures, int inFeatures, int[] bias) {
        Checks.positive("outFeatures", outFeatures);
        Checks.positive("inFeatures", inFeatures);
        Checks.length("weights", weights, (long) outFeatures * inFeatures);
        if (bias != null) {
            Checks.length("bias", bias.length, outFeatures);
        }
        // Kept as bytes (4x less heap than ints): the kernels widen them while loading.
        byte[] w = weights.clone();
        return new PackedLinearWeights(
                outFeatures, inFeatures, w, bias == null ? null : bias.clone());
    }

    /**
     * The weights, a fresh array.
     *
     * @return {@code outFeatures * inFeatures} signed int8 values, row-major (out, in)
     */
    public byte[] weights() {
        return weights.clone();
    }

    /** Number of outputs. */
    public int outFeatures() {
        return outFeatures;
    }

    /** Number of inputs. */
    public int inFeatures() {
        return inFeatures;
    }

    /** True when a bias was packed. */
    public boolean hasBias() {
        return bias != null;
    }
}
