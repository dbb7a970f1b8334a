package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Nearest-neighbour upsampling of NCHW by an integer factor: every pixel repeated {@code scale x
 * scale} times (PyTorch's {@code Upsample(scale_factor=s, mode="nearest")}). It commutes with
 * quantization, so the int8 form copies integers and keeps the input's parameters.
 */
public class Upsample extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /** Larger factors are not a network layer but a mistake (and would multiply memory by 64+). */
    public static final int MAX_SCALE = 8;

    private final int scale;

    /**
     * Creates the block.
     *
     * @param scale the factor along height and width, 2 to {@link #MAX_SCALE}
     */
    public Upsample(int scale) {
        super(VERSION);
        this.scale = checkScale(scale);
    }

    /**
     * Validates a factor (shared with the int8 form and its codec).
     *
     * @param scale the factor
     * @return the factor
     * @throws IllegalArgumentException if it is outside 2 to {@link #MAX_SCALE}
     */
    public static int checkScale(int scale) {
        if (scale < 2 || scale > MAX_SCALE) {
            throw new IllegalArgumentException(
                    "upsampling factor must be 2 to " + MAX_SCALE + ", got " + scale);
        }
        return scale;
    }

    /**
     * @return the factor along height and width
     */
    public int getScale() {
        return scale;
    }

    @Override
    protected NDArray apply(NDArray x) {
        return x.repeat(2, scale).repeat(3, scale);
    }

    @Override
    protected Shape outputShape(Shape in) {
        return new Shape(in.get(0), in.get(1), in.get(2) * scale, in.get(3) * scale);
    }

    @Override
    protected int[] allowedRanks() {
        return new int[] {4};
    }

    @Override
    protected void writeConfig(DataOutputStream os) throws IOException {
        os.writeInt(scale);
    }

    @Override
    protected void checkConfig(DataInputStream is) throws IOException, MalformedModelException {
        BlockSupport.checkSame("Upsample", "scale", is.readInt(), scale);
    }

    @Override
    public String toString() {
        return "Upsample(" + scale + ")";
    }
}
