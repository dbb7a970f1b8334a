package io.djlquant.kernels;

/**
 * Convolution weights prepared once for {@link Int8Kernels#conv2d}: int8 symmetric per-channel
 * weights (zero point 0, bytes read signed) in OIHW order, kept as bytes (a private copy), plus an optional int32
 * bias. Immutable after packing; safe to share between threads.
 */
public final class PackedConvWeights {

    private final int outChannels;
    private final int inChannels;
    private final int kernelH;
    private final int kernelW;
    private final int groups;
    /** [outChannels][inChannels/groups * kernelH * kernelW], row order (ic, kh, kw) as in OIHW. */
    final byte[] weights;
    /** Per output channel, or null. */
    final int[] bias;

    private PackedConvWeights(int outChannels, int inChannels, int kernelH, int kernelW, int groups,
            byte[] weights, int[] bias) {
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.groups = groups;
        this.weights = weights;
        this.bias = bias;
    }

    /**
     * Packs OIHW int8 weights.
     *
     * @param weights length {@code outChannels * (inChannels/groups) * kernelH * kernelW}, signed int8
     * @param outChannels output channels, divisible by groups
     * @param inChannels input channels (total), divisible by groups
     * @param kernelH kernel height
     * @param kernelW kernel width
     * @param groups 1 for a dense conv, {@code inChannels} for depthwise
     * @param bias int32 bias per output channel (scale inputScale*weightScale[c]) or null
     * @return the packed weights
     */
    public static PackedConvWeights pack(byte[] weights, int outChannels, int inChannels, int kernelH,
            int kernelW, int groups, int[] bias) {
        Checks.positive("outChannels", outChannels);
        Checks.positive("inChannels", inChannels);
        Checks.positive("kernelH", kernelH);
        Checks.positive("kernelW", kernelW);
        Checks.positive("groups", groups);
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("groups " + groups + " must divide inChannels "
                    + inChannels + " and outChannels " + outChannels);
        }
        long k = (long) (inChannels / groups) * kernelH * kernelW;
        Checks.length("weights", weights, (long) outChannels * k);
        if (bias != null) {
            Checks.length("bias", bias.length, outChannels);
        }
        // Kept as bytes (4x less heap than ints): the kernels widen them while loading.
        byte[] w = weights.clone();
        return new PackedConvWeights(outChannels, inChannels, kernelH, kernelW, groups, w,
                bias == null ? null : bias.clone());
    }

    /** Number of output channels. */
    public int outChannels() {
        return outChannels;
    }

    /** Number of input channels (all groups). */
    public int inChannels() {
        return inChannels;
    }

    /** Kernel height. */
    public int kernelH() {
        return kernelH;
    }

    /** Kernel width. */
    public int kernelW() {
        return kernelW;
    }

    /** Number of groups. */
    public int groups() {
        return groups;
    }

    /** True when a bias was packed. */
    public boolean hasBias() {
        return bias != null;
    }

    /** Length of one output channel's weight row: (inChannels/groups)*kernelH*kernelW. */
    int rowLength() {
        return inChannels / groups * kernelH * kernelW;
    }
}
