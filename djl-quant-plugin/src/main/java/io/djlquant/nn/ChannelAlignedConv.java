package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The 2-d convolution of the float and QAT blocks, with the channel counts that PyTorch's CPU
 * convolution gets wrong on AVX-512 hosts padded by zero channels.
 *
 * <p>Why: the oneDNN convolution inside libtorch 2.7.1 (the one DJL 0.36 ships, oneDNN v3.7.1)
 * stores channels in blocks of 16 on AVX-512 CPUs (8 on AVX2) and, on such hosts (seen on AMD Zen
 * 5), reads the padding of a partly filled block as uninitialised memory instead of zeros. Measured
 * against a float64 reference (which PyTorch computes without oneDNN), for groups = 1:
 *
 * <ul>
 *   <li>the forward result is wrong when the input channel count is above 16 and not a multiple of
 *       16 (17, 24, 40: every call, by up to 15 units or NaN);
 *   <li>at stride 2 the gradient w.r.t. the input is wrong for 48 input channels (and 40), while
 *       16, 32, 64, 96 and 128 are right;
 *   <li>the gradient w.r.t. the input is wrong when the output channel count is not a multiple of
 *       16 (3, 8, 12, 24 ...: garbage or NaN that changes from call to call), for any input channel
 *       count;
 *   <li>the gradient w.r.t. the weight, grouped and depthwise convolutions are right.
 * </ul>
 *
 * In QAT that gave different gradients for identical passes and NaN weights after a few steps. Zero
 * channels do not change the result: extra input channels meet zero weights, extra output channels
 * are sliced off (their gradient is zero), so the padded convolution computes the same function
 * with every channel count a multiple of 16. The padding is applied only where the problem occurs,
 * so the other cases (and every other engine) run the plain convolution.
 */
public final class ChannelAlignedConv {

    /** The channel block of the AVX-512 kernels; a multiple of the AVX2 block (8). */
    static final int BLOCK = 16;

    private ChannelAlignedConv() {}

    /**
     * Convolves like {@link Conv2d#conv2d(NDArray, NDArray, NDArray, Shape, Shape, Shape, int)},
     * padding channels on the PyTorch engine where its convolution would be wrong (see the class
     * comment).
     *
     * @param x the input, NCHW
     * @param weight the weight, OIHW (I = input channels / groups)
     * @param bias the bias, shape (O), or null
     * @param stride the stride
     * @param padding the spatial padding
     * @param dilation the dilation
     * @param groups the group count
     * @return the convolution output, NCHW with O channels
     */
    public static NDArray conv2d(
            NDArray x,
            NDArray weight,
            NDArray bias,
            Shape stride,
            Shape padding,
            Shape dilation,
            int groups) {
        if (groups != 1 || !"PyTorch".equals(x.getManager().getEngine().getEngineName())) {
            return Conv2d.conv2d(x, weight, bias, stride, padding, dilation, groups).head();
        }
        long in = weight.getShape().get(1);
        long out = weight.getShape().get(0);
        long extraIn = alignedInputChannels(in) - in;
        long extraOut =
                needsOutputPadding(out, JniUtils.isGradMode()) ? roundUp(out, BLOCK) - out : 0;
        if (extraIn == 0 && extraOut == 0) {
            return Conv2d.conv2d(x, weight, bias, stride, padding, dilation, groups).head();
        }
        NDArray px = x;
        NDArray pw = weight;
        NDArray pb = bias;
        if (extraIn > 0) {
            px = withZeros(x, 1, extraIn);
            pw = withZeros(pw, 1, extraIn);
        }
        if (extraOut > 0) {
            pw = withZeros(pw, 0, extraOut);
            pb = bias == null ? null : withZeros(bias, 0, extraOut);
        }
        NDArray y = Conv2d.conv2d(px, pw, pb, stride, padding, dilation, groups).head();
        return extraOut == 0 ? y : y.get(new NDIndex(":, :{}", out));
    }

    /**
     * The input channel count the convolution runs with: unchanged up to 8 (those use plain
     * layouts) and for multiples of 32, else rounded up to 16 (9..16) or to a multiple of 32.
     * Multiples of 16 are not enough above 32: 48 input channels give a wrong input gradient at
     * stride 2, while 32, 64, 96 and 128 are right.
     *
     * @param inputChannels the input channel count (groups = 1)
     * @return the padded count
     */
    static long alignedInputChannels(long inputChannels) {
        if (inputChannels <= BLOCK / 2) {
            return inputChannels;
        }
        return inputChannels <= BLOCK ? BLOCK : roundUp(inputChannels, 2 * BLOCK);
    }

    /**
     * Whether zero output channels must be appended so the input gradient is right.
     *
     * <p>Decided by PyTorch's grad mode (on inside a {@code GradientCollector}): DJL reports {@code
     * hasGradient()} only for leaves, so whether a computed input is part of the graph cannot be
     * asked; outside a collector no backward pass follows and nothing is padded.
     *
     * @param outputChannels the output channel count
     * @param recording whether autograd is recording (a backward pass may follow)
     * @return true when recording and the count is not a multiple of 16
     */
    static boolean needsOutputPadding(long outputChannels, boolean recording) {
        return recording && outputChannels % BLOCK != 0;
    }

    private static long roundUp(long channels, long multiple) {
        return (channels + multiple - 1) / multiple * multiple;
    }

    /** Appends {@code extra} zero slices along {@code axis}; zeros are PyTorch-owned memory. */
    private static NDArray withZeros(NDArray a, int axis, long extra) {
        long[] dims = a.getShape().getShape().clone(); // getShape() hands out the array itself
        dims[axis] = extra;
        NDArray zeros = a.getManager().zeros(new Shape(dims), a.getDataType(), a.getDevice());
        return NDArrays.concat(new NDList(a, zeros), axis);
    }
}
