package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
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
public abstract class FusedConv2d extends AbstractBlock implements FusedLayer {

    /** Parameter encoding version of a block whose ReLU is a ReLU6 (it writes that flag). */
    public static final byte RELU6_VERSION = 2;

    private final Shape kernelShape;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation;
    private final int filters;
    private final int groups;
    private final boolean includeBias;
    private final boolean relu;
    private final boolean relu6;
    private final float epsilon;
    private final float momentum;

    private final Conv2d conv;
    private final BatchNorm bn;

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
        super(b.relu6 ? RELU6_VERSION : version);
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
        includeBias = b.includeBias;
        relu = withRelu;
        if (b.relu6 && !withRelu) {
            throw new IllegalArgumentException(
                    name + ": ReLU6 needs a block with a ReLU (ConvBnRelu2d or" + " ConvRelu2d)");
        }
        relu6 = b.relu6;
        epsilon = b.epsilon;
        momentum = b.momentum;
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
                                .optBias(includeBias)
                                .build());
        bn =
                withBatchNorm
                        ? addChildBlock(
                                "bn",
                                BatchNorm.builder()
                                        .optAxis(1)
                                        .optEpsilon(epsilon)
                                        .optMomentum(momentum)
                                        .build())
                        : null;
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
        NDList out = new NDList(convolve(x, w, b));
        if (bn != null) {
            out = bn.forward(ps, out, training, params);
        }
        if (relu) {
            out = new NDList(relu6 ? Activation.relu6(out.head()) : Activation.relu(out.head()));
        }
        return out;
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
        if (bn != null) {
            bn.initialize(manager, dataType, conv.getOutputShapes(shapes));
        }
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
        os.writeBoolean(includeBias);
        os.writeBoolean(bn != null);
        os.writeBoolean(relu);
        if (version >= RELU6_VERSION) {
            os.writeBoolean(relu6);
        }
        os.writeFloat(epsilon);
        os.writeFloat(momentum);
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
        BlockSupport.checkSame(name, "bias flag", is.readBoolean(), includeBias);
        BlockSupport.checkSame(name, "batch-norm flag", is.readBoolean(), bn != null);
        BlockSupport.checkSame(name, "relu flag", is.readBoolean(), relu);
        if (version >= RELU6_VERSION) {
            BlockSupport.checkSame(name, "relu6 flag", is.readBoolean(), relu6);
        }
        BlockSupport.checkSame(name, "epsilon", is.readFloat(), epsilon);
        BlockSupport.checkSame(name, "momentum", is.readFloat(), momentum);
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
     * @return the DJL batch norm child, or {@code null} if this block has none
     */
    public BatchNorm getBatchNorm() {
        return bn;
    }

    /**
     * @return whether a batch norm follows the convolution
     */
    public boolean hasBatchNorm() {
        return bn != null;
    }

    /**
     * @return whether the block ends with a ReLU
     */
    public boolean hasRelu() {
        return relu;
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
     * @return whether the convolution has a bias
     */
    public boolean isIncludeBias() {
        return includeBias;
    }

    /**
     * @return the batch norm epsilon (meaningful only with a batch norm)
     */
    public float getEpsilon() {
        return epsilon;
    }

    /**
     * @return the batch norm momentum in DJL's meaning (weight of the old running value)
     */
    public float getMomentum() {
        return momentum;
    }

    /**
     * @return whether the ReLU is a ReLU6 ({@code min(max(x, 0), 6)})
     */
    public boolean hasRelu6() {
        return relu6;
    }

    /**
     * @return the convolution weight parameter (OIHW)
     */
    public Parameter getWeight() {
        return conv.getDirectParameters().get("weight");
    }

    /**
     * @return the convolution bias parameter, or {@code null} without bias
     */
    public Parameter getBias() {
        return includeBias ? conv.getDirectParameters().get("bias") : null;
    }

    /**
     * Returns a batch norm parameter.
     *
     * @param name {@code gamma}, {@code beta}, {@code runningMean} or {@code runningVar}
     * @return the parameter
     */
    public Parameter getBatchNormParameter(String name) {
        if (bn == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " has no batch norm");
        }
        Parameter p = bn.getDirectParameters().get(name);
        if (p == null) {
            throw new IllegalArgumentException("BatchNorm has no parameter " + name);
        }
        return p;
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
        sb.append(", bias=").append(includeBias);
        if (relu6) {
            sb.append(", relu6");
        }
        if (bn != null) {
            sb.append(", eps=").append(epsilon).append(", momentum=").append(momentum);
        }
        return sb.append(')').toString();
    }

    /**
     * Builder options shared by the convolution blocks, named like DJL's {@code Conv2d.builder()}.
     *
     * @param <T> the concrete builder type
     */
    public abstract static class BaseBuilder<T extends BaseBuilder<T>> {
        Shape kernelShape;
        Shape stride = new Shape(1, 1);
        Shape padding = new Shape(0, 0);
        Shape dilation = new Shape(1, 1);
        int filters;
        int groups = 1;
        boolean includeBias;
        boolean relu6;
        float epsilon = 1e-5f;
        float momentum = 0.9f;

        BaseBuilder(boolean defaultBias) {
            includeBias = defaultBias;
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
         * Sets the whether the convolution has a bias.
         *
         * @param v the value
         * @return this builder
         */
        public T optBias(boolean v) {
            includeBias = v;
            return self();
        }

        /**
         * Sets the batch norm epsilon, default 1e-5.
         *
         * @param v the value
         * @return this builder
         */
        public T optEpsilon(float v) {
            epsilon = v;
            return self();
        }

        /**
         * Sets the batch norm momentum in DJL's meaning (default 0.9, i.e. PyTorch's 0.1).
         *
         * @param v the weight of the old running value
         * @return this builder
         */
        public T optMomentum(float v) {
            momentum = v;
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

        abstract T self();

        /**
         * Builds the block.
         *
         * @return the configured block
         */
        public abstract FusedConv2d build();
    }
}
