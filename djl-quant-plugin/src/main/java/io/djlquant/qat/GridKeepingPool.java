package io.djlquant.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.quantization.fakequant.FakeQuantOps;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;

/**
 * Base of the QAT average pools: the float pool, then fake quantization with the <em>input's</em>
 * QParams. An int8 engine averages integers and keeps the input scale, so the average is rounded
 * (half to even) onto the input grid; QFloat rounds the same way. The output therefore carries the
 * input's quantizer. With no producer wired (a pool before the QuantStub) it is a float pool.
 */
public abstract class GridKeepingPool extends AbstractQatBlock {

    private final Block floatBlock;

    /**
     * Creates the block.
     *
     * @param version the parameter encoding version of the concrete class
     * @param floatBlock the float pool
     */
    protected GridKeepingPool(byte version, Block floatBlock) {
        super(version, 1);
        if (floatBlock == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs a float block");
        }
        this.floatBlock = addChildBlock("float", floatBlock);
    }

    /**
     * @return the float pool
     */
    public Block getFloatBlock() {
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
        return getInputQuantizer();
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        requireInputs(inputs, 1);
        NDArray y = floatBlock.forward(ps, inputs, training, params).head();
        FakeQuantizeBase in = getInputQuantizer();
        if (in == null || !in.isFakeQuantEnabled()) {
            return new NDList(y);
        }
        return new NDList(FakeQuantOps.fakeQuantize(y, in.getQParams()));
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
