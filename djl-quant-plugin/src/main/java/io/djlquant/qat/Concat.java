package io.djlquant.qat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
 * QAT form of {@link io.djlquant.nn.Concat}: the (already fake-quantized) inputs joined along the
 * channel axis, then the output fake quant (child "output_fq"), which observes the joined range. In
 * Q every input is requantized to the output's parameters, which is exactly this fake quant applied
 * to values that already lie on their producers' grids.
 */
public class Concat extends AbstractQatBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final io.djlquant.nn.Concat floatBlock;

    /**
     * Creates the block.
     *
     * @param floatBlock the float join
     * @param qconfig the recipe (its activation fake quant is used)
     */
    public Concat(io.djlquant.nn.Concat floatBlock, QConfig qconfig) {
        super(VERSION, floatBlock == null ? 0 : floatBlock.getInputCount());
        if (floatBlock == null || qconfig == null) {
            throw new IllegalArgumentException("Concat needs a float block and a QConfig");
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
    public static Concat fromFloat(io.djlquant.nn.Concat floatBlock, QConfig qconfig) {
        return new Concat(floatBlock, qconfig);
    }

    /**
     * @return the float join
     */
    public io.djlquant.nn.Concat getFloatBlock() {
        return floatBlock;
    }

    /**
     * Returns the QParams of every input, in join order.
     *
     * @return the producers' QParams
     * @throws IllegalStateException if an input has no producer wired
     */
    public QParams[] getInputQParamsAll() {
        QParams[] out = new QParams[getInputCount()];
        for (int i = 0; i < out.length; i++) {
            FakeQuantizeBase in = getInputQuantizer(i);
            if (in == null) {
                throw new IllegalStateException(
                        "block '" + getBlockPath() + "' has no producer wired for input " + i);
            }
            out[i] = in.getQParams();
        }
        return out;
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
        requireInputs(inputs, getInputCount());
        floatBlock.getOutputShapes(inputs.getShapes());
        NDArray y = NDArrays.concat(inputs, io.djlquant.nn.Concat.AXIS);
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
        return "QatConcat(" + getInputCount() + ")[" + getBlockPath() + "]";
    }
}
