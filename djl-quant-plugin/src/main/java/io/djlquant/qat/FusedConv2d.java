package io.djlquant.qat;

import ai.djl.ndarray.NDArray;
import io.djlquant.quantization.QConfig;

/**
 * QAT form of {@link io.djlquant.nn.FusedConv2d}: the float convolution (same parameters) with
 * batch-norm folding, weight/bias/output fake quantization as described in {@link
 * WeightedQatBlock}.
 */
public abstract class FusedConv2d extends WeightedQatBlock {

    private final io.djlquant.nn.FusedConv2d floatConv;

    /**
     * Creates the block.
     *
     * @param version the parameter encoding version of the concrete class
     * @param floatConv the float block whose parameters are shared
     * @param qconfig the quantization recipe
     */
    protected FusedConv2d(byte version, io.djlquant.nn.FusedConv2d floatConv, QConfig qconfig) {
        super(version, floatConv, qconfig);
        this.floatConv = floatConv;
    }

    /** {@inheritDoc} */
    @Override
    public io.djlquant.nn.FusedConv2d getFloatBlock() {
        return floatConv;
    }

    @Override
    protected NDArray layer(NDArray x, NDArray weight, NDArray bias) {
        return floatConv.convolve(x, weight, bias);
    }

    @Override
    protected void checkInput(NDArray x) {
        if (x.getShape().dimension() != 4) {
            throw new IllegalArgumentException(
                    "block '"
                            + getBlockPath()
                            + "' expects an NCHW input, got shape "
                            + x.getShape());
        }
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "Qat" + floatConv + "[" + getBlockPath() + "]";
    }
}
