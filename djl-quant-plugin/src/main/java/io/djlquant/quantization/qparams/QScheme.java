package io.djlquant.quantization.qparams;

/** How quantization parameters are derived: symmetric or affine, per tensor or per channel. */
public enum QScheme {
    /** One scale, zero point chosen so the observed [min, max] fills the integer range. */
    PER_TENSOR_AFFINE(false, false),
    /** One scale, zero point fixed at {@link QDType#symmetricZeroPoint()}. */
    PER_TENSOR_SYMMETRIC(true, false),
    /** One affine scale/zero point per output channel (axis 0). For weights only. */
    PER_CHANNEL_AFFINE(false, true),
    /** One symmetric scale per output channel (axis 0). For weights only. */
    PER_CHANNEL_SYMMETRIC(true, true);

    private final boolean symmetric;
    private final boolean perChannel;

    QScheme(boolean symmetric, boolean perChannel) {
        this.symmetric = symmetric;
        this.perChannel = perChannel;
    }

    /**
     * @return whether the zero point is fixed at the symmetric zero point of the dtype
     */
    public boolean isSymmetric() {
        return symmetric;
    }

    /**
     * @return whether there is one scale per channel along axis 0
     */
    public boolean isPerChannel() {
        return perChannel;
    }
}
