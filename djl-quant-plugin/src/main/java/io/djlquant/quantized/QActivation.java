package io.djlquant.quantized;

import ai.djl.ndarray.types.Shape;
import io.djlquant.kernels.ActivationQuant;
import io.djlquant.quantization.qparams.QParams;

/**
 * A quantized activation inside a Q block: one integer per byte (read unsigned when the dtype is
 * unsigned), its shape and per-tensor parameters. The byte array is never modified once built.
 *
 * @param data the integers, row-major
 * @param shape the shape
 * @param qparams the per-tensor parameters
 */
record QActivation(byte[] data, Shape shape, QParams qparams) {

    /**
     * @return the kernel view of the parameters
     */
    ActivationQuant kernelQuant() {
        return kernelQuant(qparams);
    }

    /**
     * The kernel view of per-tensor parameters.
     *
     * @param q the parameters
     * @return scale, zero point and range for the kernels
     */
    static ActivationQuant kernelQuant(QParams q) {
        return new ActivationQuant(
                q.scale(0), q.zeroPoint(0), q.getDType().qmin(), q.getDType().qmax());
    }

    /**
     * A view with another shape (same elements).
     *
     * @param newShape the shape, same size
     * @return the view
     */
    QActivation reshape(Shape newShape) {
        return new QActivation(data, newShape, qparams);
    }
}
