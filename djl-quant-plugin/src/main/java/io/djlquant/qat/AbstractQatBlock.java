package io.djlquant.qat;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.qparams.QParams;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Shared plumbing of the QAT blocks: input wiring, the output fake quant of the blocks that produce
 * a new activation grid (as MegEngine's {@code QATModule} owns {@code act_fake_quant}; child
 * "output_fq", added where each block's parameter order puts it), the block path for error
 * messages, and the version check / input-shape encoding of the saved metadata. The wiring itself
 * is not saved: it is structure, rebuilt by {@code Quantizer.quantizeQat} before parameters are
 * loaded.
 */
public abstract class AbstractQatBlock extends AbstractBlock implements QatModule {

    private final int inputCount;
    private FakeQuantizeBase[] inputQuantizers;
    private String blockPath;
    private FakeQuantizeBase outputFq;

    /**
     * Creates the block.
     *
     * @param version the parameter encoding version of the concrete class
     * @param inputCount the number of input arrays, or -1 for any
     */
    protected AbstractQatBlock(byte version, int inputCount) {
        super(version);
        this.inputCount = inputCount;
        this.inputQuantizers = new FakeQuantizeBase[Math.max(inputCount, 0)];
        this.blockPath = getClass().getSimpleName();
    }

    /** {@inheritDoc} */
    @Override
    public int getInputCount() {
        return inputCount;
    }

    /** {@inheritDoc} */
    @Override
    public void setInputQuantizers(FakeQuantizeBase... producers) {
        if (producers == null || (inputCount >= 0 && producers.length != inputCount)) {
            throw new IllegalArgumentException(
                    "block '"
                            + blockPath
                            + "' ("
                            + getClass().getName()
                            + ") consumes "
                            + inputCount
                            + " input(s) but "
                            + (producers == null ? "null" : producers.length)
                            + " producer(s) were wired");
        }
        inputQuantizers = producers.clone();
    }

    /**
     * Wires the producer of the single input (shorthand for {@link #setInputQuantizers}).
     *
     * @param producer the producer's output fake quant, or null for a float input
     */
    public void setInputQuantizer(FakeQuantizeBase producer) {
        setInputQuantizers(producer);
    }

    /** {@inheritDoc} */
    @Override
    public FakeQuantizeBase getInputQuantizer(int index) {
        if (index < 0 || index >= inputQuantizers.length) {
            return null;
        }
        return inputQuantizers[index];
    }

    /**
     * @return the producer of the first input, or null
     */
    public FakeQuantizeBase getInputQuantizer() {
        return getInputQuantizer(0);
    }

    /**
     * @return a copy of all wired producers
     */
    public FakeQuantizeBase[] getInputQuantizers() {
        return inputQuantizers.clone();
    }

    /**
     * Returns the parameters of the first input.
     *
     * @return the input's QParams
     * @throws IllegalStateException if no producer is wired or it has no parameters yet
     */
    public QParams getInputQParams() {
        FakeQuantizeBase in = getInputQuantizer();
        if (in == null) {
            throw new IllegalStateException(
                    "block '" + blockPath + "' has no quantized input (no producer wired)");
        }
        return in.getQParams();
    }

    /**
     * Adds the output fake quant (child "output_fq") from the recipe's activation fake quant; a
     * subclass calls it once, from its constructor, where the child belongs in its parameter order.
     *
     * @param qconfig the recipe
     * @return the output fake quant
     */
    protected final FakeQuantizeBase addOutputFakeQuant(QConfig qconfig) {
        if (outputFq != null) {
            throw new IllegalStateException(
                    "block '" + blockPath + "' already has an output fake quant");
        }
        outputFq = addChildBlock("output_fq", qconfig.newActFakeQuant());
        return outputFq;
    }

    /**
     * Returns the output fake quant.
     *
     * @return the output fake quant, or {@code null} for a block that keeps its input's grid
     */
    public FakeQuantizeBase getOutputFakeQuant() {
        return outputFq;
    }

    /**
     * Returns the parameters of the output.
     *
     * @return the output QParams
     * @throws IllegalStateException if the block has no output fake quant
     */
    public QParams getOutputQParams() {
        if (outputFq == null) {
            throw new IllegalStateException("block '" + blockPath + "' has no output fake quant");
        }
        return outputFq.getQParams();
    }

    /**
     * The producer of this block's output: its own output fake quant by default.
     *
     * @return the output fake quant
     */
    @Override
    public FakeQuantizeBase getOutputQuantizer() {
        return outputFq;
    }

    /**
     * Applies the output fake quant, naming this block in observer errors.
     *
     * @param ps the parameter store
     * @param y the block's float result
     * @param training whether this is a training pass
     * @return the fake-quantized output
     */
    protected NDArray quantizeOutput(ParameterStore ps, NDArray y, boolean training) {
        return quantize(outputFq, ps, y, training, "output");
    }

    /**
     * Initializes the output fake quant for the block's output shape.
     *
     * @param manager the manager
     * @param dataType the data type
     * @param outputShapes the block's output shapes
     */
    protected void initializeOutput(NDManager manager, DataType dataType, Shape... outputShapes) {
        outputFq.initialize(manager, dataType, outputShapes);
    }

    /** {@inheritDoc} */
    @Override
    public String getBlockPath() {
        return blockPath;
    }

    /** {@inheritDoc} */
    @Override
    public void setBlockPath(String path) {
        if (path == null) {
            throw new IllegalArgumentException("block path must not be null");
        }
        blockPath = path.isEmpty() ? getClass().getSimpleName() : path;
    }

    /**
     * Applies a fake quant with this block's parameter store; observer errors (NaN, infinity, empty
     * tensors) are re-thrown naming this block, so the user knows where the data went bad.
     *
     * @param fq the fake quant
     * @param ps the parameter store
     * @param x the array
     * @param training whether this is a training pass
     * @param role what is quantized, e.g. "output" or "weight"
     * @return the fake-quantized array
     */
    protected NDArray quantize(
            FakeQuantizeBase fq, ParameterStore ps, NDArray x, boolean training, String role) {
        try {
            return fq.apply(ps, x, training);
        } catch (IllegalArgumentException | IllegalStateException e) {
            String msg = "block '" + blockPath + "' (" + role + " fake quant): " + e.getMessage();
            throw e instanceof IllegalStateException
                    ? new IllegalStateException(msg, e)
                    : new IllegalArgumentException(msg, e);
        }
    }

    /**
     * Checks the input count of a forward call.
     *
     * @param inputs the inputs
     * @param n the expected count
     */
    protected void requireInputs(NDList inputs, int n) {
        if (inputs == null || inputs.size() != n) {
            throw new IllegalArgumentException(
                    "block '"
                            + blockPath
                            + "' expects "
                            + n
                            + " input array(s), got "
                            + (inputs == null ? "null" : inputs.size()));
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        if (inputShapes == null) {
            throw new IllegalStateException(
                    "block '" + blockPath + "': initialize the block before saving its parameters");
        }
        saveInputShapes(os);
        saveState(os);
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion != version) {
            throw new MalformedModelException(
                    getClass().getName()
                            + ": unsupported parameter encoding version "
                            + loadVersion
                            + " (expected "
                            + version
                            + ")");
        }
        readInputShapes(is);
        loadState(is);
    }

    /**
     * Writes block state after the input shapes (nothing by default).
     *
     * @param os the stream
     * @throws IOException on I/O failure
     */
    protected void saveState(DataOutputStream os) throws IOException {}

    /**
     * Reads what {@link #saveState} wrote.
     *
     * @param is the stream
     * @throws IOException on I/O failure
     * @throws MalformedModelException if the state is invalid
     */
    protected void loadState(DataInputStream is) throws IOException, MalformedModelException {}

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + blockPath + "]";
    }
}
