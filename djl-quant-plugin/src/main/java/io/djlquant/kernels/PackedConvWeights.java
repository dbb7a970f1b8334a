package io.djlquant.kernels;

/**
 * Convolution weights prepared once for {@link Int8Kernels#conv2d}: int8 symmetric per-channel
 * weights (zero point 0, bytes read signed) plus an optional int32 bias, held once, in the order
 * the kernels read them (one byte per weight): OIHW with one input channel per group, channel pairs
 * otherwise (see {@link #pairChunks}). {@link #weights()} gives them back in OIHW order (for
 * saving). Immutable after packing; safe to share between threads.
 */
public final class PackedConvWeights {

    private final int outChannels;
    private final int inChannels;
    private final int kernelH;
    private final int kernelW;
    private final int groups;

    /**
     * With one input channel per group: [outChannels][kernelH * kernelW], OIHW. Null otherwise (the
     * weights are then in {@link #pairChunks} only).
     */
    final byte[] weights;

    /** Per output channel, or null. */
    final int[] bias;

    /**
     * With more than one input channel per group, the weights as byte pairs for {@link
     * Int8Impl#gemmPairs} (null otherwise): per output channel {@link #pairRowLength()} pairs, pair
     * t = (icPair, kh, kw) in that order holding input channel 2*icPair then 2*icPair + 1 (0 past
     * an odd channel count). Split into arrays of {@link #chunkChannels} channels, each below
     * {@link #CHUNK_BYTES}: G1 gives larger arrays whole regions ("humongous"), which left a
     * quarter of the heap they took unused (measured on the zoo's ResNet18: 18.1 MB in use for 11.7
     * MB of weights). The kernels widen the rows a task multiplies into ints ({@link #widenPairs}),
     * about one operation per weight against one multiply-add per weight and output column.
     */
    final byte[][] pairChunks;

    /** Output channels per array of {@link #pairChunks}. */
    private final int chunkChannels;

    /** Per output channel, the sum of its weights (with {@link #pairChunks}; null otherwise). */
    final int[] weightSums;

    private PackedConvWeights(
            int outChannels,
            int inChannels,
            int kernelH,
            int kernelW,
            int groups,
            byte[] oihw,
            int[] bias) {
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.groups = groups;
        this.bias = bias;
        int cg = inChannels / groups;
        this.weights = cg > 1 ? null : oihw.clone();
        int rowBytes = 2 * pairRowLength();
        this.chunkChannels = Math.max(1, Math.min(outChannels, CHUNK_BYTES / rowBytes));
        this.pairChunks = cg > 1 ? pairUp(oihw) : null;
        this.weightSums = cg > 1 ? rowSums(oihw, outChannels) : null;
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

    /** Largest array of {@link #pairChunks}: a quarter of G1's smallest region (1 MB). */
    static final int CHUNK_BYTES = 1 << 18;

    /** Offset in output channel o's chunk of the byte of OIHW weight (o, ic, tap). */
    private int pairOffset(int o, int ic, int tap) {
        int taps = kernelH * kernelW;
        return 2 * ((o % chunkChannels) * pairRowLength() + ic / 2 * taps + tap) + (ic & 1);
    }

    private byte[][] pairUp(byte[] w) {
        int cg = inChannels / groups;
        int taps = kernelH * kernelW;
        int rowBytes = 2 * pairRowLength();
        byte[][] chunks = new byte[(outChannels + chunkChannels - 1) / chunkChannels][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] =
                    new byte[Math.min(chunkChannels, outChannels - c * chunkChannels) * rowBytes];
        }
        for (int o = 0, i = 0; o < outChannels; o++) {
            for (int ic = 0; ic < cg; ic++) {
                for (int tap = 0; tap < taps; tap++, i++) {
                    chunks[o / chunkChannels][pairOffset(o, ic, tap)] = w[i];
                }
            }
        }
        return chunks;
    }

    /** The byte of OIHW weight (o, ic, tap) from {@link #pairChunks}. */
    private byte pairByte(int o, int ic, int tap) {
        return pairChunks[o / chunkChannels][pairOffset(o, ic, tap)];
    }

    /**
     * The weights in OIHW order, a fresh array (what was packed, byte for byte).
     *
     * @return {@code outChannels * (inChannels/groups) * kernelH * kernelW} signed int8 values
     */
    public byte[] weights() {
        if (weights != null) {
            return weights.clone();
        }
        int cg = inChannels / groups;
        int taps = kernelH * kernelW;
        byte[] w = new byte[outChannels * rowLength()];
        for (int o = 0, i = 0; o < outChannels; o++) {
            for (int ic = 0; ic < cg; ic++) {
                for (int tap = 0; tap < taps; tap++, i++) {
                    w[i] = pairByte(o, ic, tap);
                }
            }
        }
        return w;
    }

    /**
     * Widens the pair rows of output channels [o0, o0 + count) into {@code dst[0, count *
     * pairRowLength())} in {@link Int8Impl#gemmPairs}' packed form.
     */
    void widenPairs(Int8Impl impl, int o0, int count, int[] dst) {
        int kp = pairRowLength();
        for (int o = o0, end = o0 + count; o < end; ) {
            int inChunk = o % chunkChannels;
            int n = Math.min(end - o, chunkChannels - inChunk);
            impl.widenPairs(
                    pairChunks[o / chunkChannels], 2 * inChunk * kp, dst, (o - o0) * kp, n * kp);
            o += n;
        }
    }

    /**
     * Widens the pair rows (icPair, tap) of output channels [o0, o0 + count) for the listed taps
     * only ({@code dst} row of each channel: {@code ceil(cg/2) * taps.length} pairs, icPair major),
     * in {@link Int8Impl#gemmPairs}' packed form: the im2col path's rows when some taps read only
     * padding.
     */
    void widenPairs(int o0, int count, int[] taps, int[] dst) {
        int kp = pairRowLength();
        int per = kernelH * kernelW;
        int cgp = (inChannels / groups + 1) / 2;
        int rowLen = cgp * taps.length;
        for (int j = 0; j < count; j++) {
            int o = o0 + j;
            byte[] chunk = pairChunks[o / chunkChannels];
            int base = 2 * (o % chunkChannels) * kp;
            int d = j * rowLen;
            for (int icp = 0; icp < cgp; icp++) {
                for (int tap : taps) {
                    int s = base + 2 * (icp * per + tap);
                    dst[d++] = (chunk[s] + 128) | chunk[s + 1] << 16; // as Int8Impl#widenPairs
                }
            }
        }
    }

    /**
     * The tap sums last asked for: a layer runs with the same taps every call (its map size is
     * fixed).
     */
    private volatile TapSums lastTapSums;

    private record TapSums(int[] taps, int[] sums) {}

    /**
     * Per output channel, the sum of its weights at the listed taps (all input channels of its
     * group). The last answer is kept, so a model's layer computes it once, not every call.
     */
    int[] weightSums(int[] taps) {
        TapSums last = lastTapSums;
        if (last != null && java.util.Arrays.equals(last.taps, taps)) {
            return last.sums;
        }
        int[] sums = tapSums(taps);
        lastTapSums = new TapSums(taps.clone(), sums);
        return sums;
    }

    private int[] tapSums(int[] taps) {
        int cg = inChannels / groups;
        int[] sums = new int[outChannels];
        for (int o = 0; o < outChannels; o++) {
            int s = 0;
            for (int ic = 0; ic < cg; ic++) {
                for (int tap : taps) {
                    s += pairByte(o, ic, tap);
                }
            }
            sums[o] = s;
        }
        return sums;
    }

    /**
     * Widens output channels [o0, o0 + count) into {@code dst} as pairs of neighbours along each
     * OIHW row (k, k+1) for {@link Int8Impl#gemmPairs}, {@link #rowPairLength()} per channel (the
     * last high half 0 for an odd row length): the im2col path can gather any pair order, and with
     * an odd channel count channel pairs would waste a third of the work on 3-channel images.
     */
    void widenRowPairs(int o0, int count, int[] dst) {
        int taps = kernelH * kernelW;
        int k = rowLength();
        int kp = rowPairLength();
        for (int j = 0; j < count; j++) {
            int o = o0 + j;
            for (int t = 0; t < kp; t++) {
                int kk = 2 * t;
                int lo = pairByte(o, kk / taps, kk % taps);
                int hi = kk + 1 < k ? pairByte(o, (kk + 1) / taps, (kk + 1) % taps) : 0;
                dst[j * kp + t] = (lo + 128) | (hi << 16);
            }
        }
    }

    /** Pairs per output channel in {@link #widenRowPairs}: ceil(rowLength() / 2). */
    int rowPairLength() {
        return (rowLength() + 1) / 2;
    }

    /**
     * Whether the im2col path pairs neighbours along the row: an odd channel count above 1 per
     * group.
     */
    boolean rowOrderPairs() {
        int cg = inChannels / groups;
        return cg > 1 && cg % 2 == 1;
    }

    /**
     * Pairs per output channel in {@link #pairChunks}: ceil(inChannels/groups / 2) * kernelH *
     * kernelW.
     */
    int pairRowLength() {
        return (inChannels / groups + 1) / 2 * kernelH * kernelW;
    }

    /**
     * Packs OIHW int8 weights.
     *
     * @param weights length {@code outChannels * (inChannels/groups) * kernelH * kernelW}, signed
     *     int8
     * @param outChannels output channels, divisible by groups
     * @param inChannels input channels (total), divisible by groups
     * @param kernelH kernel height
     * @param kernelW kernel width
     * @param groups 1 for a dense conv, {@code inChannels} for depthwise
     * @param bias int32 bias per output channel (scale inputScale*weightScale[c]) or null
     * @return the packed weights
     */
    public static PackedConvWeights pack(
            byte[] weights,
            int outChannels,
            int inChannels,
            int kernelH,
            int kernelW,
            int groups,
            int[] bias) {
        Checks.positive("outChannels", outChannels);
        Checks.positive("inChannels", inChannels);
        Checks.positive("kernelH", kernelH);
        Checks.positive("kernelW", kernelW);
        Checks.positive("groups", groups);
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(
                    "groups "
                            + groups
                            + " must divide inChannels "
                            + inChannels
                            + " and outChannels "
                            + outChannels);
        }
        long k = (long) (inChannels / groups) * kernelH * kernelW;
        Checks.length("weights", weights, (long) outChannels * k);
        if (bias != null) {
            Checks.length("bias", bias.length, outChannels);
        }
        return new PackedConvWeights(
                outChannels,
                inChannels,
                kernelH,
                kernelW,
                groups,
                weights,
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
