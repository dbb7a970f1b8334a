package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Common base of the float 2-d convolution blocks: a DJL {@link Conv2d} child ("conv"), optionally
 * a DJL {@link BatchNorm} child ("bn", over axis 1) and optionally a ReLU.
 *
 * <p>Because the children are DJL's own blocks, inference and training (batch statistics,
 * running-stat updates with DJL's momentum: {@code running = momentum * running + (1 - momentum) *
 * batch}, unbiased batch variance as in PyTorch) are exactly DJL's. QAT code can read the config
 * and parameters through the getters and run the convolution functionally with {@link
 * Conv2d#conv2d(NDArray, NDArray, NDArray, Shape, Shape, Shape, int)}.
 */
public abstract class FusedConv2d extends AbstractFusedLayer {

    /** Parameter encoding version of a block whose ReLU is a ReLU6 (it writes that flag). */
    public static final byte RELU6_VERSION = 2;

    private final Shape kernelShape;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation;
    private final int filters;
    private final int groups;
    private final boolean relu6;

    private final Conv2d conv;

    /**
     * Creates the block from a builder.
     *
     * @param version this class's parameter encoding version
     * @param b the builder holding the configuration
     * @param withBatchNorm whether a batch norm follows the convolution
     * @param withRelu whether a ReLU ends the block
     */
    protected FusedConv2d(byte version, BaseBuilder<?> b, boolean withBatchNorm, boolean withRelu) {
        // a ReLU6 block stores its flag: version RELU6_VERSION, so files of plain blocks keep
        // theirs
        super(b.relu6 ? RELU6_VERSION : version, b.includeBias, withRelu, b.epsilon, b.momentum);
        String name = getClass().getSimpleName();
        if (b.kernelShape == null) {
            throw new IllegalArgumentException(name + ": kernel shape must be set");
        }
        kernelShape = BlockSupport.pair(name + " kernel", b.kernelShape);
        stride = BlockSupport.pair(name + " stride", b.stride);
        padding = BlockSupport.pair(name + " padding", b.padding);
        dilation = BlockSupport.pair(name + " dilation", b.dilation);
        if (b.filters <= 0) {
            throw new IllegalArgumentException(name + ": filters must be > 0, got " + b.filters);
        }
        if (b.groups <= 0 || b.filters % b.groups != 0) {
            throw new IllegalArgumentException(
                    name
                            + ": groups must be > 0 and divide filters, got groups="
                            + b.groups
                            + " filters="
                            + b.filters);
        }
        filters = b.filters;
        groups = b.groups;
        if (b.relu6 && !withRelu) {
            throw new IllegalArgumentException(
                    name + ": ReLU6 needs a block with a ReLU (ConvBnRelu2d or" + " ConvRelu2d)");
        }
        relu6 = b.relu6;
        conv =
                addChildBlock(
                        "conv",
                        Conv2d.builder()
                                .setKernelShape(kernelShape)
                                .setFilters(filters)
                                .optStride(stride)
                                .optPadding(padding)
                                .optDilation(dilation)
                                .optGroups(groups)
                                .optBias(b.includeBias)
                                .build());
        addBatchNorm(withBatchNorm);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        BlockSupport.single(getClass().getSimpleName(), inputs, 4);
        // the convolution runs through ChannelAlignedConv (not the DJL child's forward), so the
        // float block gets the same PyTorch workaround as the QAT blocks; parameters are the
        // child's
        NDArray x = inputs.head();
        NDArray w = ps.getValue(getWeight(), x.getDevice(), training);
        Parameter bp = getBias();
        NDArray b = bp == null ? null : ps.getValue(bp, x.getDevice(), training);
        return normalizeAndActivate(ps, new NDList(convolve(x, w, b)), training, params);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        BlockSupport.singleShape(getClass().getSimpleName(), inputShapes, 4);
        return conv.getOutputShapes(inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        BlockSupport.singleShape(getClass().getSimpleName(), shapes, 4);
        conv.initialize(manager, dataType, shapes);
        initializeBatchNorm(manager, dataType, conv.getOutputShapes(shapes));
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        BlockSupport.requireInitialized(getClass().getSimpleName(), inputShapes);
        saveInputShapes(os);
        BlockSupport.writeShape(os, kernelShape);
        BlockSupport.writeShape(os, stride);
        BlockSupport.writeShape(os, padding);
        BlockSupport.writeShape(os, dilation);
        os.writeInt(filters);
        os.writeInt(groups);
        os.writeBoolean(isIncludeBias());
        os.writeBoolean(hasBatchNorm());
        os.writeBoolean(hasRelu());
        if (version >= RELU6_VERSION) {
            os.writeBoolean(relu6);
        }
        os.writeFloat(getEpsilon());
        os.writeFloat(getMomentum());
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        String name = getClass().getSimpleName();
        BlockSupport.checkVersion(name, version, loadVersion);
        readInputShapes(is);
        BlockSupport.checkSame(name, "kernel", BlockSupport.readShape(name, is), kernelShape);
        BlockSupport.checkSame(name, "stride", BlockSupport.readShape(name, is), stride);
        BlockSupport.checkSame(name, "padding", BlockSupport.readShape(name, is), padding);
        BlockSupport.checkSame(name, "dilation", BlockSupport.readShape(name, is), dilation);
        BlockSupport.checkSame(name, "filters", is.readInt(), filters);
        BlockSupport.checkSame(name, "groups", is.readInt(), groups);
        BlockSupport.checkSame(name, "bias flag", is.readBoolean(), isIncludeBias());
        BlockSupport.checkSame(name, "batch-norm flag", is.readBoolean(), hasBatchNorm());
        BlockSupport.checkSame(name, "relu flag", is.readBoolean(), hasRelu());
        if (version >= RELU6_VERSION) {
            BlockSupport.checkSame(name, "relu6 flag", is.readBoolean(), relu6);
        }
        BlockSupport.checkSame(name, "epsilon", is.readFloat(), getEpsilon());
        BlockSupport.checkSame(name, "momentum", is.readFloat(), getMomentum());
    }

    /**
     * Runs this block's convolution (only the convolution) functionally with given weight and bias,
     * e.g. a fake-quantized or batch-norm-folded weight in QAT.
     *
     * @param x the NCHW input
     * @param weight the OIHW weight
     * @param bias the bias of length O, or {@code null}
     * @return the convolution output
     */
    public NDArray convolve(NDArray x, NDArray weight, NDArray bias) {
        return ChannelAlignedConv.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * @return the DJL convolution child
     */
    public Conv2d getConv() {
        return conv;
    }

    /**
     * @return the kernel shape (KH, KW)
     */
    public Shape getKernelShape() {
        return kernelShape;
    }

    /**
     * @return the stride (SH, SW)
     */
    public Shape getStride() {
        return stride;
    }

    /**
     * @return the zero padding (PH, PW)
     */
    public Shape getPadding() {
        return padding;
    }

    /**
     * @return the dilation (DH, DW)
     */
    public Shape getDilation() {
        return dilation;
    }

    /**
     * @return the number of output channels
     */
    public int getFilters() {
        return filters;
    }

    /**
     * @return the number of groups
     */
    public int getGroups() {
        return groups;
    }

    /**
     * @return whether the ReLU is a ReLU6 ({@code min(max(x, 0), 6)})
     */
    public boolean hasRelu6() {
        return relu6;
    }

    /** {@inheritDoc} */
    @Override
    protected Block layer() {
        return conv;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName());
        sb.append("(filters=").append(filters).append(", kernel=").append(kernelShape);
        sb.append(", stride=").append(stride).append(", padding=").append(padding);
        if (!dilation.equals(new Shape(1, 1))) {
            sb.append(", dilation=").append(dilation);
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        sb.append(", bias=").append(isIncludeBias());
        if (relu6) {
            sb.append(", relu6");
        }
        return appendBatchNorm(sb).append(')').toString();
    }

    /**
     * Builder options shared by the convolution blocks, named like DJL's {@code Conv2d.builder()}.
     *
     * @param <T> the concrete builder type
     */
    public abstract static class BaseBuilder<T extends BaseBuilder<T>> extends LayerBuilder<T> {
        Shape kernelShape;
        Shape stride = new Shape(1, 1);
        Shape padding = new Shape(0, 0);
        Shape dilation = new Shape(1, 1);
        int filters;
        int groups = 1;
        boolean relu6;

        BaseBuilder(boolean defaultBias) {
            super(defaultBias);
        }

        /**
         * Sets the kernel shape (KH, KW).
         *
         * @param v the value
         * @return this builder
         */
        public T setKernelShape(Shape v) {
            kernelShape = v;
            return self();
        }

        /**
         * Sets the number of output channels.
         *
         * @param v the value
         * @return this builder
         */
        public T setFilters(int v) {
            filters = v;
            return self();
        }

        /**
         * Sets the stride (SH, SW), default (1, 1).
         *
         * @param v the value
         * @return this builder
         */
        public T optStride(Shape v) {
            stride = v;
            return self();
        }

        /**
         * Sets the zero padding (PH, PW), default (0, 0).
         *
         * @param v the value
         * @return this builder
         */
        public T optPadding(Shape v) {
            padding = v;
            return self();
        }

        /**
         * Sets the dilation (DH, DW), default (1, 1).
         *
         * @param v the value
         * @return this builder
         */
        public T optDilation(Shape v) {
            dilation = v;
            return self();
        }

        /**
         * Sets the number of groups, default 1.
         *
         * @param v the value
         * @return this builder
         */
        public T optGroups(int v) {
            groups = v;
            return self();
        }

        /**
         * Makes the block's ReLU a ReLU6 (MobileNetV2's activation), for {@code ConvBnRelu2d} and
         * {@code ConvRelu2d}; the int8 form clamps at 6 in its requantization.
         *
         * @param v whether the ReLU is a ReLU6
         * @return this builder
         */
        public T optRelu6(boolean v) {
            relu6 = v;
            return self();
        }

        /**
         * Builds the block.
         *
         * @return the configured block
         */
        public abstract FusedConv2d build();
    }
}
