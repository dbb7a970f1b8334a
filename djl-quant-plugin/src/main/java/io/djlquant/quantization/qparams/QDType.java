package io.djlquant.quantization.qparams;

/** Integer data types a float tensor can be quantized to, with their inclusive integer ranges. */
public enum QDType {
    /** Signed 8 bit, [-128, 127]. */
    QINT8(8, true, -128, 127),
    /** Signed 8 bit without -128, [-127, 127]; keeps symmetric weights exactly symmetric. */
    QINT8_NARROW(8, true, -127, 127),
    /** Unsigned 8 bit, [0, 255]. */
    QUINT8(8, false, 0, 255),
    /** Signed 4 bit, [-8, 7]. */
    QINT4(4, true, -8, 7),
    /** Unsigned 4 bit, [0, 15]. */
    QUINT4(4, false, 0, 15),
    /** Signed 32 bit, used for biases (scale = inputScale * weightScale, zero point 0). */
    QINT32(32, true, Integer.MIN_VALUE, Integer.MAX_VALUE);

    private final int bits;
    private final boolean signed;
    private final int qmin;
    private final int qmax;

    QDType(int bits, boolean signed, int qmin, int qmax) {
        this.bits = bits;
        this.signed = signed;
        this.qmin = qmin;
        this.qmax = qmax;
    }

    /**
     * @return the smallest representable integer
     */
    public int qmin() {
        return qmin;
    }

    /**
     * @return the largest representable integer
     */
    public int qmax() {
        return qmax;
    }

    /**
     * @return the storage width in bits
     */
    public int bits() {
        return bits;
    }

    /**
     * @return whether the integer range contains negative values
     */
    public boolean isSigned() {
        return signed;
    }

    /**
     * The zero point used by symmetric schemes: 0 for signed types, the middle of the range for
     * unsigned types (128 for QUINT8, 8 for QUINT4).
     *
     * @return the symmetric zero point
     */
    public int symmetricZeroPoint() {
        return signed ? 0 : (qmin + qmax + 1) / 2;
    }
}
