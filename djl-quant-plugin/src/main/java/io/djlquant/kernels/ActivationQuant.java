package io.djlquant.kernels;

/**
 * Quantization parameters of one activation tensor stored as {@code byte[]}.
 *
 * <p>Byte interpretation: when {@code qmin >= 0} every byte is read as unsigned ({@code b & 0xFF},
 * 0..255, e.g. QUINT8/QUINT4); when {@code qmin < 0} it is read as signed (-128..127, e.g. QINT8).
 * Output bytes are written the same way ({@code (byte) q}). The real value is {@code (q -
 * zeroPoint) * scale}.
 *
 * @param scale positive finite scale
 * @param zeroPoint zero point, inside [qmin, qmax]
 * @param qmin smallest integer value
 * @param qmax largest integer value
 */
public record ActivationQuant(float scale, int zeroPoint, int qmin, int qmax) {

    /** Validates the parameters. */
    public ActivationQuant {
        if (!(scale > 0f) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
        }
        if (qmin > qmax) {
            throw new IllegalArgumentException("qmin " + qmin + " > qmax " + qmax);
        }
        if (qmin < 0 ? (qmin < -128 || qmax > 127) : qmax > 255) {
            throw new IllegalArgumentException(
                    "range ["
                            + qmin
                            + ", "
                            + qmax
                            + "] does not fit in a byte (signed needs [-128,127], unsigned"
                            + " [0,255])");
        }
        if (zeroPoint < qmin || zeroPoint > qmax) {
            throw new IllegalArgumentException(
                    "zeroPoint " + zeroPoint + " outside [" + qmin + ", " + qmax + "]");
        }
    }

    /** QUINT8 parameters: range [0, 255], bytes read unsigned. */
    public static ActivationQuant uint8(float scale, int zeroPoint) {
        return new ActivationQuant(scale, zeroPoint, 0, 255);
    }

    /** QINT8 parameters: range [-128, 127], bytes read signed. */
    public static ActivationQuant int8(float scale, int zeroPoint) {
        return new ActivationQuant(scale, zeroPoint, -128, 127);
    }

    /** True when bytes are read as unsigned (qmin &gt;= 0). */
    public boolean unsigned() {
        return qmin >= 0;
    }

    /** The integer value a stored byte stands for under this parameter set. */
    public int decode(byte b) {
        return b & byteMask();
    }

    /** Mask that decodes a sign-extended byte: 0xFF for unsigned, all ones for signed. */
    int byteMask() {
        return qmin >= 0 ? 0xFF : 0xFFFFFFFF;
    }
}
