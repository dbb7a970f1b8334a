package io.djlquant.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.qparams.QParams;

/**
 * QAT form of {@link io.djlquant.nn.ElementWise}: the float operation on the two (already
 * fake-quantized) inputs, then the output fake quant (child "output_fq"). Both inputs are wired to
 * their producers (the two branches of a {@link Residual}).
 */
public class ElementWise extends AbstractQatBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final io.djlquant.nn.ElementWise floatBlock;

    /**
     * Creates the block.
     *
     * @param floatBlock the float join
     * @param qconfig the recipe (its activation fake quant is used)
     */
    public ElementWise(io.djlquant.nn.ElementWise floatBlock, QConfig qconfig) {
        super(VERSION, 2);
        if (floatBlock == null || qconfig == null) {
            throw new IllegalArgumentException("ElementWise needs a float block and a QConfig");
        }
        this.floatBlock = addChildBlock("float", floatBlock);
        addOutputFakeQuant(qconfig);
    }

    /**
     * Converts a float join.
     *
     * @param floatBlock the float join
     * @param qconfig the recipe
     * @return the QAT join
     */
    public static ElementWise fromFloat(io.djlquant.nn.ElementWise floatBlock, QConfig qconfig) {
        return new ElementWise(floatBlock, qconfig);
    }

    /**
     * @return the float join
     */
    public io.djlquant.nn.ElementWise getFloatBlock() {
        return floatBlock;
    }

    /**
     * @return the operation
     */
    public io.djlquant.nn.ElementWise.Mode getMode() {
        return floatBlock.getMode();
    }

    /**
     * Returns the QParams of one operand.
     *
     * @param index 0 or 1
     * @return the operand's QParams
     */
    public QParams getInputQParams(int index) {
        FakeQuantizeBase in = getInputQuantizer(index);
        if (in == null) {
            throw new IllegalStateException(
                    "block '" + getBlockPath() + "' has no producer wired for input " + index);
        }
        return in.getQParams();
    }

    /** {@inheritDoc} */
    @Override
    public boolean requiresQuantizedInput() {
        return true;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        requireInputs(inputs, 2);
        // the float block checks broadcasting; its forward is parameter-free
        floatBlock.getOutputShapes(
                new Shape[] {inputs.get(0).getShape(), inputs.get(1).getShape()});
        NDArray y = io.djlquant.nn.ElementWise.compute(getMode(), inputs.get(0), inputs.get(1));
        return new NDList(quantizeOutput(ps, y, training));
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
        initializeOutput(manager, dataType, floatBlock.getOutputShapes(shapes));
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "QatElementWise(" + getMode() + ")[" + getBlockPath() + "]";
    }
}
