package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Marks a block that stays in float in the quantized model: it computes what the wrapped block
 * (child "float") computes, and {@code quantizeQat} turns it into a {@code FloatFallback}, which
 * dequantizes before the block and quantizes after it (PyTorch's DeQuantStub/QuantStub pair around
 * an unquantizable op). {@code Quantizer.prepare} wraps every block the Fuser has no fused form
 * for.
 */
public class KeepFloat extends AbstractBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final Block block;

    /**
     * Creates the marker.
     *
     * @param block the block kept in float (one output array)
     */
    public KeepFloat(Block block) {
        super(VERSION);
        if (block == null) {
            throw new IllegalArgumentException("KeepFloat needs a block");
        }
        this.block = addChildBlock("float", block);
    }

    /**
     * @return the block kept in float
     */
    public Block getBlock() {
        return block;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return block.forward(ps, inputs, training, params);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return block.getOutputShapes(inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        block.initialize(manager, dataType, shapes);
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        BlockSupport.requireInitialized("KeepFloat", inputShapes);
        saveInputShapes(os);
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        BlockSupport.checkVersion("KeepFloat", version, loadVersion);
        readInputShapes(is);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "KeepFloat(" + block + ")";
    }
}
