package io.djlquant.quantized;

import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;

/** Checks that parameters describe an activation the int8 kernels can hold. */
final class ActivationParams {

    private ActivationParams() {}

    /**
     * Checks per-tensor parameters of an 8-bit or 4-bit activation.
     *
     * @param block the block name
     * @param what "input", "output", ...
     * @param q the parameters
     * @return {@code q}
     */
    static QParams check(String block, String what, QParams q) {
        if (q == null) {
            throw new IllegalArgumentException(block + ": " + what + " qparams must not be null");
        }
        if (q.isPerChannel()) {
            throw new IllegalArgumentException(
                    block + ": " + what + " activations must be quantized per tensor, got " + q);
        }
        if (q.getDType() == QDType.QINT32) {
            throw new IllegalArgumentException(
                    block + ": " + what + " activations cannot be QINT32 (that is for biases)");
        }
        return q;
    }
}
