package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Joins two arrays element-wise (with NumPy broadcasting): {@code a + b}, {@code relu(a + b)} or
 * {@code a * b}. It is its own block so the quantized forms can give the join its own output
 * qparams.
 */
public class ElementWise extends AbstractBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** The element-wise operation. */
    public enum Mode {
        /** {@code a + b}. */
        ADD,
        /** {@code relu(a + b)}, the join of a ResNet basic block. */
        ADD_RELU,
        /** {@code a * b}. */
        MUL
    }

    private final Mode mode;

    /**
     * Creates the block.
     *
     * @param mode the operation
     */
    public ElementWise(Mode mode) {
        super(VERSION);
        if (mode == null) {
            throw new IllegalArgumentException("ElementWise mode must not be null");
        }
        this.mode = mode;
    }

    /**
     * @return the operation
     */
    public Mode getMode() {
        return mode;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (inputs == null || inputs.size() != 2) {
            throw new IllegalArgumentException(
                    this
                            + " expects exactly 2 input arrays, got "
                            + (inputs == null ? "null" : inputs.size()));
        }
        NDArray a = inputs.get(0);
        NDArray b = inputs.get(1);
        broadcast(a.getShape(), b.getShape());
        return new NDList(compute(mode, a, b));
    }

    /**
     * Computes the operation of a mode, without checks; shared with the Fuser's join probing.
     *
     * @param mode the operation
     * @param a first operand
     * @param b second operand
     * @return the result
     */
    public static NDArray compute(Mode mode, NDArray a, NDArray b) {
        switch (mode) {
            case ADD:
                return a.add(b);
            case ADD_RELU:
                return Activation.relu(a.add(b));
            case MUL:
                return a.mul(b);
            default:
                throw new IllegalStateException("unknown mode " + mode);
        }
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (inputShapes == null || inputShapes.length != 2) {
            throw new IllegalArgumentException(
                    this
                            + " expects exactly 2 input shapes, got "
                            + (inputShapes == null ? "null" : inputShapes.length));
        }
        return new Shape[] {broadcast(inputShapes[0], inputShapes[1])};
    }

    /** NumPy broadcasting of two shapes; an incompatible pair is a caller error. */
    private Shape broadcast(Shape a, Shape b) {
        int n = Math.max(a.dimension(), b.dimension());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            int ia = a.dimension() - n + i;
            int ib = b.dimension() - n + i;
            long da = ia >= 0 ? a.get(ia) : 1;
            long db = ib >= 0 ? b.get(ib) : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(
                        this + ": input shapes " + a + " and " + b + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        BlockSupport.requireInitialized("ElementWise", inputShapes);
        saveInputShapes(os);
        os.writeUTF(mode.name());
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        BlockSupport.checkVersion("ElementWise", version, loadVersion);
        readInputShapes(is);
        BlockSupport.checkSame("ElementWise", "mode", is.readUTF(), mode.name());
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "ElementWise(" + mode + ")";
    }
}
