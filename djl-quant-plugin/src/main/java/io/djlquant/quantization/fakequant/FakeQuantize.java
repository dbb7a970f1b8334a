package io.djlquant.quantization.fakequant;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import io.djlquant.quantization.observer.Observer;
import io.djlquant.quantization.qparams.QParams;

/**
 * Plain fake quantization: quantize-dequantize with the parameters its observer computes, with
 * straight-through gradients for the input (PyTorch {@code FakeQuantize}, MegEngine {@code
 * FakeQuantize}).
 */
public class FakeQuantize extends FakeQuantizeBase {

    /**
     * Creates a fake-quant block.
     *
     * @param observer the observer whose parameters are used; owned by this block
     */
    public FakeQuantize(Observer observer) {
        super(observer);
    }

    /** {@inheritDoc} */
    @Override
    protected NDArray fakeQuantize(ParameterStore parameterStore, NDArray x, boolean training) {
        return FakeQuantOps.fakeQuantize(x, observer.computeQParams());
    }

    /** {@inheritDoc} */
    @Override
    public QParams getQParams() {
        return observer.computeQParams();
    }
}
