package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * 2-d average pooling of an NCHW input with explicit config, computed by DJL's {@link
 * Pool#avgPool2d}.
 */
public class AvgPool2d extends StatelessBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final Shape kernelShape;
    private final Shape stride;
    private final Shape padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /**
     * Creates the block.
     *
     * @param kernelShape window (KH, KW)
     * @param stride step (SH, SW)
     * @param padding implicit zero padding (PH, PW), at most half the kernel
     * @param ceilMode whether output sizes round up
     * @param countIncludePad whether padded zeros count in the divisor (DJL's default: true)
     */
    public AvgPool2d(
            Shape kernelShape,
            Shape stride,
            Shape padding,
            boolean ceilMode,
            boolean countIncludePad) {
        super(VERSION);
        BlockSupport.checkPool("AvgPool2d", kernelShape, stride, padding);
        this.kernelShape = kernelShape;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    /**
     * Creates the block like {@code Pool.avgPool2dBlock(kernel, stride, padding)}: no ceil mode,
     * padding counted in the divisor.
     *
     * @param kernelShape window (KH, KW)
     * @param stride step (SH, SW)
     * @param padding implicit zero padding (PH, PW)
     */
    public AvgPool2d(Shape kernelShape, Shape stride, Shape padding) {
        this(kernelShape, stride, padding, false, true);
    }

    @Override
    protected int[] allowedRanks() {
        return new int[] {4};
    }

    @Override
    protected NDArray apply(NDArray x) {
        return Pool.avgPool2d(x, kernelShape, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    protected Shape outputShape(Shape input) {
        return BlockSupport.poolShape(input, kernelShape, stride, padding, ceilMode);
    }

    @Override
    protected void writeConfig(DataOutputStream os) throws IOException {
        BlockSupport.writeShape(os, kernelShape);
        BlockSupport.writeShape(os, stride);
        BlockSupport.writeShape(os, padding);
        os.writeBoolean(ceilMode);
        os.writeBoolean(countIncludePad);
    }

    @Override
    protected void checkConfig(DataInputStream is) throws IOException, MalformedModelException {
        String n = "AvgPool2d";
        BlockSupport.checkSame(n, "kernel", BlockSupport.readShape(n, is), kernelShape);
        BlockSupport.checkSame(n, "stride", BlockSupport.readShape(n, is), stride);
        BlockSupport.checkSame(n, "padding", BlockSupport.readShape(n, is), padding);
        BlockSupport.checkSame(n, "ceil mode", is.readBoolean(), ceilMode);
        BlockSupport.checkSame(n, "count-include-pad", is.readBoolean(), countIncludePad);
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

    /**
     * @return whether padded zeros count in the divisor
     */
    public boolean isCountIncludePad() {
        return countIncludePad;
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel="
                + kernelShape
                + ", stride="
                + stride
                + ", padding="
                + padding
                + (ceilMode ? ", ceil" : "")
                + (countIncludePad ? "" : ", excludePad")
                + ")";
    }
}
