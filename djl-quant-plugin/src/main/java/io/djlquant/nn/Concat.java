package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Joins the outputs of several branches along the channel axis (axis 1 of NCHW or NC arrays), as
 * the inception modules of GoogLeNet and the fire modules of SqueezeNet do. It is its own block for
 * the same reason as {@link ElementWise}: the quantized forms give the joined activation its own
 * output parameters, and every input is requantized to them.
 */
public class Concat extends AbstractBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * The axis joined: channels, the only axis whose concatenation keeps a per-tensor grid valid.
     */
    public static final int AXIS = 1;

    private final int inputs;

    /**
     * Creates the block.
     *
     * @param inputs the number of arrays joined (at least 2)
     */
    public Concat(int inputs) {
        super(VERSION);
        if (inputs < 2) {
            throw new IllegalArgumentException("Concat joins at least 2 arrays, got " + inputs);
        }
        this.inputs = inputs;
    }

    /**
     * @return the number of arrays joined
     */
    public int getInputCount() {
        return inputs;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        Shape[] shapes = new Shape[in == null ? 0 : in.size()];
        for (int i = 0; i < shapes.length; i++) {
            shapes[i] = in.get(i).getShape();
        }
        outputShape(this, inputs, shapes);
        return new NDList(NDArrays.concat(in, AXIS));
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {outputShape(this, inputs, inputShapes)};
    }

    /**
     * The shape of the joined array, checking that the inputs agree on every axis but the channel
     * axis; shared with the QAT and quantized forms so all three refuse the same inputs.
     *
     * @param block the block, for messages
     * @param count the number of inputs expected
     * @param shapes the input shapes
     * @return the output shape
     * @throws IllegalArgumentException if the count, the ranks or the non-channel axes differ
     */
    public static Shape outputShape(Object block, int count, Shape[] shapes) {
        if (shapes == null || shapes.length != count) {
            throw new IllegalArgumentException(
                    block
                            + " expects "
                            + count
                            + " inputs, got "
                            + (shapes == null ? "null" : shapes.length));
        }
        Shape first = shapes[0];
        if (first.dimension() < 2) {
            throw new IllegalArgumentException(
                    block + ": inputs need a channel axis, got " + first);
        }
        long channels = 0;
        for (Shape s : shapes) {
            if (s.dimension() != first.dimension()) {
                throw new IllegalArgumentException(
                        block + ": input shapes " + first + " and " + s + " differ in rank");
            }
            for (int d = 0; d < s.dimension(); d++) {
                if (d != AXIS && s.get(d) != first.get(d)) {
                    throw new IllegalArgumentException(
                            block
                                    + ": input shapes "
                                    + first
                                    + " and "
                                    + s
                                    + " differ on axis "
                                    + d
                                    + " (only the channel axis may)");
                }
            }
            channels += s.get(AXIS);
        }
        long[] out = first.getShape().clone();
        out[AXIS] = channels;
        return new Shape(out);
    }

    /**
     * Lays the inputs' channel blocks side by side, image by image: the element copy of a channel
     * concatenation, shared by the int8 join (bytes) and the Java float form (floats).
     *
     * @param parts the inputs' elements, arrays of one primitive type in row-major order
     * @param shapes their shapes (checked with {@link #outputShape})
     * @param out the joined shape
     * @param dst the joined elements, {@code out.size()} long, of the parts' type
     */
    public static void copyChannels(Object[] parts, Shape[] shapes, Shape out, Object dst) {
        long inner = 1;
        for (int d = AXIS + 1; d < out.dimension(); d++) {
            inner *= out.get(d);
        }
        long outRow = out.get(AXIS) * inner;
        long offset = 0;
        for (int i = 0; i < parts.length; i++) {
            int row = Math.toIntExact(shapes[i].get(AXIS) * inner);
            for (int n = 0; n < out.get(0); n++) {
                System.arraycopy(parts[i], n * row, dst, Math.toIntExact(n * outRow + offset), row);
            }
            offset += row;
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        BlockSupport.requireInitialized("Concat", inputShapes);
        saveInputShapes(os);
        os.writeInt(inputs);
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        BlockSupport.checkVersion("Concat", version, loadVersion);
        readInputShapes(is);
        BlockSupport.checkSame("Concat", "input count", is.readInt(), inputs);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "Concat(" + inputs + ")";
    }
}
