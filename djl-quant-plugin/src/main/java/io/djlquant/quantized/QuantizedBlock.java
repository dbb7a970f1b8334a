package io.djlquant.quantized;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;

/**
 * Base of every Q block: no DJL parameters, inference only. A forward pass with {@code
 * training=true} fails with a clear message, and DJL's parameter files are refused because a Q
 * block is stored in a {@code .jq} file ({@link QuantizedModels#save}).
 */
public abstract class QuantizedBlock extends AbstractBlock {

    /** Version of the (unused) DJL parameter encoding. */
    private static final byte VERSION = 1;

    /** Start of every block name and so of every message a block writes. */
    private static final String NAME_PREFIX = "quantized.";

    /** Creates the block. */
    protected QuantizedBlock() {
        super(VERSION);
    }

    /**
     * Runs the block in inference mode.
     *
     * @param inputs the inputs (see the package documentation for accepted arrays)
     * @return the outputs
     */
    protected abstract NDList forwardQuantized(NDList inputs);

    /** {@inheritDoc} */
    @Override
    protected final NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (training) {
            throw new IllegalStateException(
                    name()
                            + " is a quantized int8 block and cannot train (forward was called with"
                            + " training=true); train the QFloat model from io.djlquant.qat and"
                            + " convert it again");
        }
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(name() + " received no input arrays");
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i).getShape().size() == 0) {
                throw new IllegalArgumentException(
                        name()
                                + ": input "
                                + i
                                + " of shape "
                                + inputs.get(i).getShape()
                                + " is empty; a quantized block needs at least one element");
            }
        }
        ForeignArrays.record(inputs);
        try {
            NDList outputs = forwardQuantized(inputs);
            ForeignArrays.record(outputs);
            return outputs;
        } catch (IllegalArgumentException e) {
            // Messages of blocks start with their name; the kernels' do not know which block
            // called them, so say it here, with the shapes the caller passed.
            String message = e.getMessage();
            if (message != null && message.startsWith(NAME_PREFIX)) {
                throw e;
            }
            throw new IllegalArgumentException(
                    name()
                            + " cannot run on input shape(s) "
                            + Arrays.toString(inputs.getShapes())
                            + ": "
                            + message,
                    e);
        }
    }

    /** {@inheritDoc} */
    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        // nothing to allocate: the integer weights are fixed Java arrays
        beforeInitialize(inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    public boolean isInitialized() {
        return true;
    }

    /** {@inheritDoc} */
    @Override
    public void saveParameters(DataOutputStream os) {
        throw new UnsupportedOperationException(
                name()
                        + " is stored in a .jq file: use QuantizedModels.save or a JavaQuant"
                        + " model's save()");
    }

    /** {@inheritDoc} */
    @Override
    public void loadParameters(NDManager manager, DataInputStream is)
            throws MalformedModelException {
        throw new MalformedModelException(
                name()
                        + " is loaded from a .jq file through Model.newInstance(name,"
                        + " \"JavaQuant\")");
    }

    /**
     * @return the block's class name, used in messages
     */
    protected String name() {
        return NAME_PREFIX + getClass().getSimpleName();
    }

    /**
     * Checks the number of inputs.
     *
     * @param inputs the inputs
     * @param count the expected count
     */
    protected void expectInputs(NDList inputs, int count) {
        if (inputs.size() != count) {
            throw new IllegalArgumentException(
                    name() + " expects " + count + " input array(s), got " + inputs.size());
        }
    }

    /**
     * Checks the rank of an input shape.
     *
     * @param shape the shape
     * @param rank the required rank
     */
    protected void expectRank(Shape shape, int rank) {
        if (shape.dimension() != rank) {
            throw new IllegalArgumentException(
                    name() + " expects a rank-" + rank + " input, got shape " + shape);
        }
    }
}
