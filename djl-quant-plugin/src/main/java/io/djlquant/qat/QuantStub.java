package io.djlquant.qat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.quantization.QConfig;

/**
 * QAT form of {@link io.djlquant.nn.QuantStub}: fake-quantizes the float input (child "output_fq").
 */
public class QuantStub extends AbstractQatBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final io.djlquant.nn.QuantStub floatBlock;

    /**
     * Creates the block.
     *
     * @param floatBlock the float stub
     * @param qconfig the recipe (its activation fake quant is used)
     */
    public QuantStub(io.djlquant.nn.QuantStub floatBlock, QConfig qconfig) {
        super(VERSION, 1);
        if (floatBlock == null || qconfig == null) {
            throw new IllegalArgumentException("QuantStub needs a float block and a QConfig");
        }
        this.floatBlock = addChildBlock("float", floatBlock);
        addOutputFakeQuant(qconfig);
    }

    /**
     * Converts a float stub.
     *
     * @param floatBlock the float stub
     * @param qconfig the recipe
     * @return the QAT stub
     */
    public static QuantStub fromFloat(io.djlquant.nn.QuantStub floatBlock, QConfig qconfig) {
        return new QuantStub(floatBlock, qconfig);
    }

    /**
     * @return the float stub
     */
    public io.djlquant.nn.QuantStub getFloatBlock() {
        return floatBlock;
    }

    /** {@inheritDoc} */
    @Override
    public boolean requiresQuantizedInput() {
        return false;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        requireInputs(inputs, 1);
        return new NDList(quantizeOutput(ps, inputs.head(), training));
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
        initializeOutput(manager, dataType, shapes);
    }
}
