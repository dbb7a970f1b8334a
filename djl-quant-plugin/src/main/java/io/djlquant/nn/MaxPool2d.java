package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * 2-d max pooling of an NCHW input with explicit config, computed by DJL's {@link Pool#maxPool2d}.
 */
public class MaxPool2d extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final Shape kernelShape;
    private final Shape stride;
    private final Shape padding;
    private final boolean ceilMode;

    /**
     * Creates the block.
     *
     * @param kernelShape window (KH, KW)
     * @param stride step (SH, SW)
     * @param padding implicit padding (PH, PW), at most half the kernel
     * @param ceilMode whether output sizes round up
     */
    public MaxPool2d(Shape kernelShape, Shape stride, Shape padding, boolean ceilMode) {
        super(VERSION);
        BlockSupport.checkPool("MaxPool2d", kernelShape, stride, padding);
        this.kernelShape = kernelShape;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    /**
     * Creates the block without ceil mode, like {@code Pool.maxPool2dBlock(kernel, stride,
     * padding)}.
     *
     * @param kernelShape window (KH, KW)
     * @param stride step (SH, SW)
     * @param padding implicit padding (PH, PW)
     */
    public MaxPool2d(Shape kernelShape, Shape stride, Shape padding) {
        this(kernelShape, stride, padding, false);
    }

    @Override
    protected int[] allowedRanks() {
        return new int[] {4};
    }

    @Override
    protected NDArray apply(NDArray x) {
        return Pool.maxPool2d(x, kernelShape, stride, padding, ceilMode);
    }

    @Override
    protected Shape outputShape(Shape input) {
        return BlockSupport.poolShape(input, kernelShape, stride, padding, ceilMode);
    }

    /**
     * PyTorch's pooled length along one axis (floor or ceil mode; in ceil mode a last window that
     * would start in the right padding is dropped), the rule of this block and of the int8 pool.
     *
     * @param in the input length
     * @param kernel the window length
     * @param stride the stride
     * @param padding the padding on each side
     * @param ceil whether the length rounds up
     * @return the output length
     * @throws IllegalArgumentException if the window is larger than the padded input
     */
    public static long pooledLength(long in, long kernel, long stride, long padding, boolean ceil) {
        return BlockSupport.poolOut(in, kernel, stride, padding, ceil);
    }

    @Override
    protected void writeConfig(DataOutputStream os) throws IOException {
        BlockSupport.writeShape(os, kernelShape);
        BlockSupport.writeShape(os, stride);
        BlockSupport.writeShape(os, padding);
        os.writeBoolean(ceilMode);
    }

    @Override
    protected void checkConfig(DataInputStream is) throws IOException, MalformedModelException {
        String n = "MaxPool2d";
        BlockSupport.checkSame(n, "kernel", BlockSupport.readShape(n, is), kernelShape);
        BlockSupport.checkSame(n, "stride", BlockSupport.readShape(n, is), stride);
        BlockSupport.checkSame(n, "padding", BlockSupport.readShape(n, is), padding);
        BlockSupport.checkSame(n, "ceil mode", is.readBoolean(), ceilMode);
    }

    /**
     * @return the window (KH, KW)
     */
    public Shape getKernelShape() {
        return kernelShape;
    }

    /**
     * @return the step (SH, SW)
     */
    public Shape getStride() {
        return stride;
    }

    /**
     * @return the implicit padding (PH, PW)
     */
    public Shape getPadding() {
        return padding;
    }

    /**
     * @return whether output sizes round up
     */
    public boolean isCeilMode() {
        return ceilMode;
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel="
                + kernelShape
                + ", stride="
                + stride
                + ", padding="
                + padding
                + (ceilMode ? ", ceil" : "")
                + ")";
    }
}
