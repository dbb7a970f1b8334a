package io.djlquant.quantization.observer;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import io.djlquant.quantization.qparams.QScheme;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Records statistics of the tensors flowing through it and turns them into {@link QParams}.
 *
 * <p>An observer is an identity {@link ai.djl.nn.Block}: it sits in the block tree (a fake-quant
 * block owns one as a child) and its statistics are saved with the model parameters, so a
 * calibrated model can be saved and reloaded. Statistics are kept as Java floats, not NDArrays, so
 * observers never hold native memory.
 */
public abstract class Observer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final QDType dtype;
    private final QScheme scheme;
    private boolean enabled = true;
    private QParams cached;

    /**
     * Creates an observer.
     *
     * @param dtype the integer type the parameters are computed for
     * @param scheme the scheme the parameters are computed with
     */
    protected Observer(QDType dtype, QScheme scheme) {
        super(VERSION);
        if (dtype == null || scheme == null) {
            throw new IllegalArgumentException(name() + " needs a dtype and a scheme");
        }
        this.dtype = dtype;
        this.scheme = scheme;
    }

    /**
     * Records the statistics of {@code x} (if enabled) and returns {@code x} unchanged.
     *
     * @param x the tensor to observe
     * @return {@code x}
     * @throws IllegalArgumentException if {@code x} is empty or holds NaN or infinite values
     */
    public NDArray observe(NDArray x) {
        if (!enabled) {
            return x;
        }
        if (x.size() == 0) {
            throw new IllegalArgumentException(
                    name() + " received an empty tensor of shape " + x.getShape());
        }
        // statistics must not become part of the autograd graph
        try (NDArray data = x.stopGradient();
                NDArray f = data.toType(DataType.FLOAT32, false)) {
            checkFinite(f);
            update(f);
        }
        cached = null;
        return x;
    }

    /**
     * Computes quantization parameters from the statistics recorded so far.
     *
     * @return the parameters
     * @throws IllegalStateException if nothing has been observed yet
     */
    public QParams computeQParams() {
        if (!hasObserved()) {
            throw new IllegalStateException(
                    name() + " has not observed any data; run calibration first");
        }
        // cached because fake quantization asks for the parameters on every forward pass
        if (cached == null) {
            cached = calculateQParams();
        }
        return cached;
    }

    /**
     * @return whether {@link #observe} records statistics
     */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Turns recording on or off (the observer stays an identity either way).
     *
     * @param enabled whether to record statistics
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * @return the integer type
     */
    public QDType getDType() {
        return dtype;
    }

    /**
     * @return the scheme
     */
    public QScheme getScheme() {
        return scheme;
    }

    /**
     * @return whether statistics are available for {@link #computeQParams()}
     */
    public abstract boolean hasObserved();

    /** Forgets all recorded statistics. */
    public final void reset() {
        cached = null;
        resetState();
    }

    /** Clears the subclass statistics; called by {@link #reset()}. */
    protected abstract void resetState();

    /** Drops cached parameters; subclasses call this when their statistics change otherwise. */
    protected final void invalidate() {
        cached = null;
    }

    /**
     * Updates the statistics with a finite float32 tensor.
     *
     * @param x the detached float32 data; owned by the caller
     */
    protected abstract void update(NDArray x);

    /**
     * Computes parameters; only called once {@link #hasObserved()} is true.
     *
     * @return the parameters
     */
    protected abstract QParams calculateQParams();

    /**
     * Writes the recorded statistics.
     *
     * @param os the stream
     * @throws IOException if writing fails
     */
    protected abstract void saveState(DataOutputStream os) throws IOException;

    /**
     * Reads statistics written by {@link #saveState}.
     *
     * @param is the stream
     * @throws IOException if reading fails
     * @throws MalformedModelException if the stored statistics are invalid
     */
    protected abstract void loadState(DataInputStream is)
            throws IOException, MalformedModelException;

    /**
     * @return the simple class name, used in error messages
     */
    protected String name() {
        return getClass().getSimpleName();
    }

    private void checkFinite(NDArray f) {
        boolean bad;
        try (NDArray nan = f.isNaN();
                NDArray inf = f.isInfinite();
                NDArray either = nan.logicalOr(inf);
                NDArray any = either.any()) {
            bad = any.getBoolean();
        }
        if (bad) {
            throw new IllegalArgumentException(
                    name() + " received NaN or infinite values; cannot observe them");
        }
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return new NDList(observe(inputs.singletonOrThrow()));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    /** {@inheritDoc} */
    @Override
    public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
        beforeInitialize(inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    public boolean isInitialized() {
        // observers hold no parameters, so they are usable without initialize()
        return true;
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        os.writeUTF(dtype.name());
        os.writeUTF(scheme.name());
        os.writeBoolean(enabled);
        saveState(os);
    }

    /** {@inheritDoc} */
    @Override
    protected void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException(
                    name() + ": unsupported version " + loadVersion + ", expected " + VERSION);
        }
        String d = is.readUTF();
        String s = is.readUTF();
        if (!dtype.name().equals(d) || !scheme.name().equals(s)) {
            throw new MalformedModelException(
                    name()
                            + ": stored "
                            + d
                            + "/"
                            + s
                            + " does not match this observer's "
                            + dtype
                            + "/"
                            + scheme);
        }
        enabled = is.readBoolean();
        cached = null;
        loadState(is);
    }

    /**
     * Reads a float array written as length + values, checking the length.
     *
     * @param is the stream
     * @param expected the required length, or -1 for any length up to 1<<24
     * @return the array
     * @throws IOException if reading fails
     * @throws MalformedModelException if the length is invalid
     */
    protected final float[] readFloats(DataInputStream is, int expected)
            throws IOException, MalformedModelException {
        int n = is.readInt();
        if (n < 0 || n > (1 << 24) || (expected >= 0 && n != expected)) {
            throw new MalformedModelException(name() + ": invalid stored array length " + n);
        }
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = is.readFloat();
        }
        return a;
    }

    /**
     * Writes a float array as length + values.
     *
     * @param os the stream
     * @param a the array
     * @throws IOException if writing fails
     */
    protected static void writeFloats(DataOutputStream os, float[] a) throws IOException {
        os.writeInt(a.length);
        for (float v : a) {
            os.writeFloat(v);
        }
    }
}
