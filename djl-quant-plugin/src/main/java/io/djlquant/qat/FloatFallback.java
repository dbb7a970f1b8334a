package io.djlquant.qat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.quantization.QConfig;

/**
 * Keeps a block (or a whole sub-tree) in float inside a quantized model: the float block runs on
 * the (dequantized) inputs and an output fake quant follows it, so later blocks still have input
 * QParams. In the int8 model this is "dequantize the inputs with the wired producers' QParams, run
 * float, quantize the output". Inputs may be float (no producer), so it also serves blocks before
 * the first QuantStub. Children: "float" and "output_fq".
 */
public class FloatFallback extends AbstractQatBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final Block floatBlock;

    /**
     * Creates the wrapper.
     *
     * @param floatBlock the block kept in float (trained as usual, parameters shared)
     * @param qconfig the recipe for the output fake quant
     */
    public FloatFallback(Block floatBlock, QConfig qconfig) {
        super(VERSION, -1);
        if (floatBlock == null || qconfig == null) {
            throw new IllegalArgumentException("FloatFallback needs a float block and a QConfig");
        }
        this.floatBlock = addChildBlock("float", floatBlock);
        addOutputFakeQuant(qconfig);
    }

    /**
     * @return the block kept in float
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
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList out = floatBlock.forward(ps, inputs, training, params);
        if (out.size() != 1) {
            throw new IllegalStateException(
                    "block '"
                            + getBlockPath()
                            + "' kept in float must return one array, got "
                            + out.size());
        }
        return new NDList(quantizeOutput(ps, out.head(), training));
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
        return "FloatFallback("
                + floatBlock.getClass().getSimpleName()
                + ")["
                + getBlockPath()
                + "]";
    }
}
