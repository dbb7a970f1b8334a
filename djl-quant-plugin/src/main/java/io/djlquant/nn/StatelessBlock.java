package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Base of the parameter-free one-input glue blocks. Subclasses keep their configuration in final
 * fields (no lambdas) so a block tree can be inspected and written to a model file.
 */
public abstract class StatelessBlock extends AbstractBlock {

    /**
     * Creates the block.
     *
     * @param version this class's parameter encoding version
     */
    protected StatelessBlock(byte version) {
        super(version);
    }

    /**
     * Applies the block to one array.
     *
     * @param x the input, already checked against {@link #allowedRanks()}
     * @return the output
     */
    protected abstract NDArray apply(NDArray x);

    /**
     * Returns the output shape for an input shape.
     *
     * @param input the input shape, already checked against {@link #allowedRanks()}
     * @return the output shape
     */
    protected abstract Shape outputShape(Shape input);

    /**
     * @return the input ranks this block accepts; empty means any rank
     */
    protected int[] allowedRanks() {
        return new int[0];
    }

    /**
     * Writes the configuration (nothing by default). @param os the stream @throws IOException on
     * I/O
     */
    protected void writeConfig(DataOutputStream os) throws IOException {}

    /**
     * Reads the configuration written by {@link #writeConfig} and checks it equals this block's.
     *
     * @param is the stream
     * @throws IOException on I/O failure
     * @throws MalformedModelException if the stored config differs
     */
    protected void checkConfig(DataInputStream is) throws IOException, MalformedModelException {}

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = BlockSupport.single(getClass().getSimpleName(), inputs, allowedRanks());
        return new NDList(apply(x));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in =
                BlockSupport.singleShape(getClass().getSimpleName(), inputShapes, allowedRanks());
        return new Shape[] {outputShape(in)};
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        BlockSupport.requireInitialized(getClass().getSimpleName(), inputShapes);
        saveInputShapes(os);
        writeConfig(os);
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        BlockSupport.checkVersion(getClass().getSimpleName(), version, loadVersion);
        readInputShapes(is);
        checkConfig(is);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "()";
    }
}
