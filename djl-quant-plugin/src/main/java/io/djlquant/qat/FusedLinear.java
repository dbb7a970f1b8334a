package io.djlquant.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import io.djlquant.quantization.QConfig;

/**
 * QAT form of {@link io.djlquant.nn.FusedLinear}: the float fully connected layer (same parameters)
 * with batch-norm folding, weight/bias/output fake quantization as described in {@link
 * WeightedQatBlock}.
 */
public abstract class FusedLinear extends WeightedQatBlock {

    private final io.djlquant.nn.FusedLinear floatLinear;

    /**
     * Creates the block.
     *
     * @param version the parameter encoding version of the concrete class
     * @param floatLinear the float block whose parameters are shared
     * @param qconfig the quantization recipe
     */
    protected FusedLinear(byte version, io.djlquant.nn.FusedLinear floatLinear, QConfig qconfig) {
        super(version, floatLinear, qconfig);
        this.floatLinear = floatLinear;
    }

    /** {@inheritDoc} */
    @Override
    public io.djlquant.nn.FusedLinear getFloatBlock() {
        return floatLinear;
    }

    @Override
    protected NDArray layer(NDArray x, NDArray weight, NDArray bias) {
        return bias == null
                ? Linear.linear(x, weight).head()
                : Linear.linear(x, weight, bias).head();
    }

    @Override
    protected void checkInput(NDArray x) {
        if (hasBatchNorm() && x.getShape().dimension() != 2) {
            throw new IllegalArgumentException(
                    "block '"
                            + getBlockPath()
                            + "' (batch norm over features) expects an (N, F)"
                            + " input, got shape "
                            + x.getShape());
        }
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "Qat" + floatLinear + "[" + getBlockPath() + "]";
    }
}
