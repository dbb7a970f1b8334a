package io.djlquant.quantization.fakequant;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.quantization.observer.Observer;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QScheme;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A block that simulates quantization in float: it owns an {@link Observer} (child block
 * "observer") and, when applied, observes its input (if the observer is enabled) and returns the
 * quantize-dequantized input (if fake quantization is enabled), with straight-through gradients.
 *
 * <p>It is an identity-shaped {@link ai.djl.nn.Block}, so QAT blocks add it as a child block; its
 * observer statistics, switches and learnable scales are saved with the model parameters.
 */
public abstract class FakeQuantizeBase extends AbstractBlock {

    private static final byte VERSION = 1;

    /** The owned observer. */
    protected final Observer observer;

    private boolean fakeQuantEnabled = true;

    /**
     * Creates a fake-quant block around an observer.
     *
     * @param observer the observer providing statistics; owned by this block
     */
    protected FakeQuantizeBase(Observer observer) {
        super(VERSION);
        if (observer == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs an observer");
        }
        this.observer = addChildBlock("observer", observer);
    }

    /**
     * Applies the block outside a trainer (learnable scales are used directly).
     *
     * @param x the input
     * @return the observed and (if enabled) fake-quantized input
     */
    public NDArray apply(NDArray x) {
        return apply(null, x, false);
    }

    /**
     * Applies the block inside a forward pass; QAT blocks call this with their parameter store so
     * learnable scales are registered with the trainer's optimizer.
     *
     * @param parameterStore the parameter store, or null to use parameters directly
     * @param x the input
     * @param training whether this is a training pass
     * @return the observed and (if enabled) fake-quantized input
     */
    public NDArray apply(ParameterStore parameterStore, NDArray x, boolean training) {
        observer.observe(x);
        if (!fakeQuantEnabled) {
            return x;
        }
        return fakeQuantize(parameterStore, x, training);
    }

    /**
     * Quantize-dequantizes {@code x}; called only when fake quantization is enabled.
     *
     * @param parameterStore the parameter store, or null
     * @param x the input (already observed)
     * @param training whether this is a training pass
     * @return the fake-quantized array
     */
    protected abstract NDArray fakeQuantize(
            ParameterStore parameterStore, NDArray x, boolean training);

    /**
     * The parameters this block currently quantizes with (what the Q converter must use).
     *
     * @return the parameters
     * @throws IllegalStateException if they are not known yet (nothing observed)
     */
    public abstract QParams getQParams();

    /**
     * @return the owned observer
     */
    public Observer getObserver() {
        return observer;
    }

    /**
     * @return the integer type
     */
    public QDType getDType() {
        return observer.getDType();
    }

    /**
     * @return the scheme
     */
    public QScheme getScheme() {
        return observer.getScheme();
    }

    /**
     * @return whether the observer records statistics
     */
    public boolean isObserverEnabled() {
        return observer.isEnabled();
    }

    /**
     * Turns statistics recording on or off.
     *
     * @param enabled whether the observer records
     * @return this block
     */
    public FakeQuantizeBase enableObserver(boolean enabled) {
        observer.setEnabled(enabled);
        return this;
    }

    /**
     * @return whether {@link #apply} returns fake-quantized values
     */
    public boolean isFakeQuantEnabled() {
        return fakeQuantEnabled;
    }

    /**
     * Turns fake quantization on or off (off: {@link #apply} returns its input unchanged).
     *
     * @param enabled whether to fake-quantize
     * @return this block
     */
    public FakeQuantizeBase enableFakeQuant(boolean enabled) {
        this.fakeQuantEnabled = enabled;
        return this;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return new NDList(apply(parameterStore, inputs.singletonOrThrow(), training));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        observer.initialize(manager, dataType, inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        os.writeBoolean(fakeQuantEnabled);
        saveState(os);
    }

    /** {@inheritDoc} */
    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException(
                    getClass().getSimpleName()
                            + ": unsupported version "
                            + loadVersion
                            + ", expected "
                            + VERSION);
        }
        fakeQuantEnabled = is.readBoolean();
        loadState(is);
    }

    /**
     * Writes subclass state (after the switches, before parameters and the observer).
     *
     * @param os the stream
     * @throws IOException if writing fails
     */
    protected void saveState(DataOutputStream os) throws IOException {}

    /**
     * Reads what {@link #saveState} wrote.
     *
     * @param is the stream
     * @throws IOException if reading fails
     * @throws MalformedModelException if the state is invalid
     */
    protected void loadState(DataInputStream is) throws IOException, MalformedModelException {}
}
