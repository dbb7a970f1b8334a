package io.djlquant.qat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;

/**
 * QAT form of {@link io.djlquant.nn.DequantStub}: the identity (values are already float). It
 * remembers its input producer, whose parameters the int8 model dequantizes with; its output is
 * float, so it produces no quantizer.
 */
public class DequantStub extends AbstractQatBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final io.djlquant.nn.DequantStub floatBlock;

    /**
     * Creates the block.
     *
     * @param floatBlock the float stub
     */
    public DequantStub(io.djlquant.nn.DequantStub floatBlock) {
        super(VERSION, 1);
        if (floatBlock == null) {
            throw new IllegalArgumentException("DequantStub needs a float block");
        }
        this.floatBlock = addChildBlock("float", floatBlock);
    }

    /**
     * Converts a float stub.
     *
     * @param floatBlock the float stub
     * @param qconfig unused (nothing is quantized here); accepted for the mapping table
     * @return the QAT stub
     */
    public static DequantStub fromFloat(io.djlquant.nn.DequantStub floatBlock, QConfig qconfig) {
        return new DequantStub(floatBlock);
    }

    /**
     * @return the float stub
     */
    public io.djlquant.nn.DequantStub getFloatBlock() {
        return floatBlock;
    }

    /** {@inheritDoc} */
    @Override
    public boolean requiresQuantizedInput() {
        return false;
    }

    /** {@inheritDoc} */
    @Override
    public FakeQuantizeBase getOutputQuantizer() {
        return null;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        requireInputs(inputs, 1);
        return new NDList(inputs.head());
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return floatBlock.getOutputShapes(inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        floatBlock.initialize(manager, dataType, shapes);
    }
}
