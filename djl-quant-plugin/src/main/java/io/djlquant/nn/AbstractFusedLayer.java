package io.djlquant.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * What {@link FusedConv2d} and {@link FusedLinear} share: a layer child (added by the subclass),
 * then optionally a DJL {@link BatchNorm} child ("bn", over axis 1) and a ReLU, with the bias flag
 * and the batch norm's epsilon and momentum. Each subclass keeps its own metadata encoding (the
 * field order of the files it has always written).
 */
public abstract class AbstractFusedLayer extends AbstractBlock implements FusedLayer {

    private final boolean includeBias;
    private final boolean relu;
    private final float epsilon;
    private final float momentum;

    private BatchNorm bn;

    /**
     * Creates the block's shared configuration; the subclass then adds its layer child and calls
     * {@link #addBatchNorm}.
     *
     * @param version the parameter encoding version
     * @param includeBias whether the layer has a bias
     * @param relu whether a ReLU ends the block
     * @param epsilon the batch norm epsilon
     * @param momentum the batch norm momentum in DJL's meaning
     */
    protected AbstractFusedLayer(
            byte version, boolean includeBias, boolean relu, float epsilon, float momentum) {
        super(version);
        this.includeBias = includeBias;
        this.relu = relu;
        this.epsilon = epsilon;
        this.momentum = momentum;
    }

    /**
     * Adds the batch norm child after the layer child (child order is the parameter file order).
     *
     * @param withBatchNorm whether the block has a batch norm
     */
    protected final void addBatchNorm(boolean withBatchNorm) {
        if (withBatchNorm) {
            bn =
                    addChildBlock(
                            "bn",
                            BatchNorm.builder()
                                    .optAxis(1)
                                    .optEpsilon(epsilon)
                                    .optMomentum(momentum)
                                    .build());
        }
    }

    /**
     * The block's tail after its layer: batch norm (DJL's own forward, so training and running
     * statistics are DJL's), then ReLU or ReLU6.
     *
     * @param ps the parameter store
     * @param layerOut the layer's output
     * @param training whether this is a training forward
     * @param params the forward parameters
     * @return the block's output
     */
    protected final NDList normalizeAndActivate(
            ParameterStore ps, NDList layerOut, boolean training, PairList<String, Object> params) {
        NDList out = layerOut;
        if (bn != null) {
            out = bn.forward(ps, out, training, params);
        }
        if (relu) {
            out =
                    new NDList(
                            hasRelu6()
                                    ? Activation.relu6(out.head())
                                    : Activation.relu(out.head()));
        }
        return out;
    }

    /**
     * Initializes the batch norm child, if any, for the layer's output shapes.
     *
     * @param manager the manager
     * @param dataType the data type
     * @param layerOutputShapes the layer child's output shapes
     */
    protected final void initializeBatchNorm(
            NDManager manager, DataType dataType, Shape[] layerOutputShapes) {
        if (bn != null) {
            bn.initialize(manager, dataType, layerOutputShapes);
        }
    }

    /**
     * Appends ", eps=..., momentum=..." for a block with a batch norm.
     *
     * @param sb the description being built
     * @return {@code sb}
     */
    protected final StringBuilder appendBatchNorm(StringBuilder sb) {
        if (bn != null) {
            sb.append(", eps=").append(epsilon).append(", momentum=").append(momentum);
        }
        return sb;
    }

    /**
     * @return the layer child (DJL's {@code Conv2d} or {@code Linear}) that holds the weight and
     *     bias
     */
    protected abstract Block layer();

    /**
     * @return the layer weight parameter (OIHW for a convolution, (out, in) for a linear layer)
     */
    @Override
    public Parameter getWeight() {
        return layer().getDirectParameters().get("weight");
    }

    /**
     * @return the layer bias parameter, or {@code null} without bias
     */
    @Override
    public Parameter getBias() {
        return includeBias ? layer().getDirectParameters().get("bias") : null;
    }

    /**
     * @return the DJL batch norm child, or {@code null} if this block has none
     */
    public BatchNorm getBatchNorm() {
        return bn;
    }

    /** {@inheritDoc} */
    @Override
    public boolean hasBatchNorm() {
        return bn != null;
    }

    /** {@inheritDoc} */
    @Override
    public boolean hasRelu() {
        return relu;
    }

    /**
     * @return whether the layer has a bias
     */
    public boolean isIncludeBias() {
        return includeBias;
    }

    /** {@inheritDoc} */
    @Override
    public float getEpsilon() {
        return epsilon;
    }

    /** {@inheritDoc} */
    @Override
    public float getMomentum() {
        return momentum;
    }

    /** {@inheritDoc} */
    @Override
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

    /**
     * Builder options of the layer's bias and the batch norm, shared by the convolution and linear
     * builders.
     *
     * @param <T> the concrete builder type
     */
    public abstract static class LayerBuilder<T extends LayerBuilder<T>> {
        boolean includeBias;
        float epsilon = 1e-5f;
        float momentum = 0.9f;

        LayerBuilder(boolean defaultBias) {
            includeBias = defaultBias;
        }

        /**
         * Sets whether the layer (convolution or linear) has a bias.
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

        abstract T self();
    }
}
