package io.djlquant.kernels;

/**
 * Convolution weights prepared once for {@link Int8Kernels#conv2d}: int8 symmetric per-channel
 * weights (zero point 0, bytes read signed) in OIHW order, kept as bytes (a private copy), plus an optional int32
 * bias. With more than one input channel per group the weights are also kept as pairs for the pair
 * product (2 bytes of heap per weight on top of the byte copy). Immutable after packing; safe to share
 * between threads.
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
    /**
     * The same weights as pairs for {@link Int8Impl#gemmPairs} (null with one input channel per
     * group): [outChannels][pairRowLength()], pair t = (icPair, kh, kw) in that order holding input
     * channel 2*icPair in the low 16 bits (plus 128) and 2*icPair + 1 in the high 16 bits (0 past an
     * odd channel count).
     */
    final int[] pairs;
    /**
     * With an odd number (&gt; 1) of input channels per group, the weights again as pairs, but of
     * neighbours along each row's OIHW order (k, k+1), for the im2col path, which can gather any pair
     * order: channel pairs waste a third of the work on 3-channel images. Null otherwise.
     */
    final int[] rowPairs;
    /** Per output channel, the sum of its weights (with {@link #pairs}; null otherwise). */
    final int[] weightSums;

    private PackedConvWeights(int outChannels, int inChannels, int kernelH, int kernelW, int groups,
            byte[] weights, int[] bias) {
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.groups = groups;
        this.weights = weights;
        this.bias = bias;
        int cg = inChannels / groups;
        this.pairs = cg > 1 ? pairUp(weights, outChannels, cg, kernelH * kernelW) : null;
        this.weightSums = cg > 1 ? rowSums(weights, outChannels) : null;
        this.rowPairs = cg > 1 && cg % 2 == 1 ? rowPairUp(weights, outChannels) : null;
    }

    private static int[] rowPairUp(byte[] w, int oc) {
        int k = w.length / oc;
        int kp = (k + 1) / 2;
        int[] pairs = new int[Math.multiplyExact(oc, kp)];
        for (int o = 0; o < oc; o++) {
            for (int t = 0; t < kp; t++) {
                int hi = 2 * t + 1 < k ? w[o * k + 2 * t + 1] : 0;
                pairs[o * kp + t] = (w[o * k + 2 * t] + 128) | (hi << 16);
            }
        }
        return pairs;
    }

    private static int[] rowSums(byte[] w, int oc) {
        int k = w.length / oc;
        int[] sums = new int[oc];
        for (int o = 0; o < oc; o++) {
            for (int i = o * k; i < (o + 1) * k; i++) {
                sums[o] += w[i];
            }
        }
        return sums;
    }

    private static int[] pairUp(byte[] w, int oc, int cg, int taps) {
        int cgp = (cg + 1) / 2;
        int k = cg * taps;
        int[] pairs = new int[Math.multiplyExact(oc, cgp * taps)];
        for (int o = 0, t = 0; o < oc; o++) {
            for (int icp = 0; icp < cgp; icp++) {
                int lo = o * k + 2 * icp * taps;
                boolean hasHi = 2 * icp + 1 < cg;
                for (int tap = 0; tap < taps; tap++, t++) {
                    int hi = hasHi ? w[lo + taps + tap] : 0;
                    pairs[t] = (w[lo + tap] + 128) | (hi << 16);
                }
            }
        }
        return pairs;
    }

    /** Length of one output channel's row of {@link #pairs}: ceil(inChannels/groups / 2) * kernelH * kernelW. */
    int pairRowLength() {
        return (inChannels / groups + 1) / 2 * kernelH * kernelW;
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
