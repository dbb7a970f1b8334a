package io.djlquant.kernels;

/**
 * What the pair-product convolutions ({@link Im2colConv#runPairs}, {@link ShiftedConv}, {@link
 * BatchInnerConv}) derive from the activation formats before multiplying: the unsigned view of the
 * input ({@code u = x ^ flip}, zero point {@code zpU}), the bias with the {@code -zpU * sum(w)}
 * correction over the taps multiplied, and the output's zero point and clamp.
 *
 * @param flip 0x80 for signed inputs, 0 for unsigned ({@link Im2colConv#unsignedFlip})
 * @param zpU the input zero point on the unsigned scale
 * @param bias per output channel, corrected
 * @param zpOut the output zero point
 * @param lo the lower clamp (the zero point with ReLU)
 * @param hi the upper clamp
 */
record PairTerms(int flip, int zpU, int[] bias, int zpOut, int lo, int hi) {

    /**
     * The terms of one call; {@code taps} are the taps multiplied ({@link Im2colConv#readingTaps}),
     * or null for all of them.
     */
    static PairTerms of(
            PackedConvWeights w,
            ActivationQuant in,
            ActivationQuant out,
            boolean relu,
            int[] taps) {
        int flip = Im2colConv.unsignedFlip(in);
        int zpU = in.zeroPoint() + flip;
        boolean all = taps == null || taps.length == w.kernelH() * w.kernelW();
        int[] bias = all ? Im2colConv.pairBias(w, zpU) : Im2colConv.pairBias(w, zpU, taps);
        return new PairTerms(
                flip, zpU, bias, out.zeroPoint(), Requant.lower(out, relu), out.qmax());
    }
}
