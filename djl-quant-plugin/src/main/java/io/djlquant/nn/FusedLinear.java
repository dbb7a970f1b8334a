package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Common base of the float fully connected blocks: a DJL {@link Linear} child ("linear"),
 * optionally a DJL {@link BatchNorm} child ("bn", over the features of an (N, F) input) and
 * optionally a ReLU. Behaviour is DJL's by construction (see {@link FusedConv2d} for the batch norm
 * semantics). Weights are (out, in).
 */
public abstract class FusedLinear extends AbstractBlock implements FusedLayer {

    private final long units;
    private final boolean includeBias;
    private final boolean relu;
    private final float epsilon;
    private final float momentum;

    private final Linear linear;
    private final BatchNorm bn;

    /**
     * Creates the block from a builder.
     *
     * @param version this class's parameter encoding version
     * @param b the configuration
     * @param withBatchNorm whether a batch norm follows the linear layer
     * @param withRelu whether a ReLU ends the block
     */
    protected FusedLinear(byte version, BaseBuilder<?> b, boolean withBatchNorm, boolean withRelu) {
        super(version);
        if (b.units <= 0) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName() + ": units must be > 0, got " + b.units);
        }
        units = b.units;
        includeBias = b.includeBias;
        relu = withRelu;
        epsilon = b.epsilon;
        momentum = b.momentum;
        linear =
                addChildBlock(
                        "linear", Linear.builder().setUnits(units).optBias(includeBias).build());
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

    private int[] ranks() {
        // batch norm over features needs (N, F); a lone linear layer works on the last axis of any
        // rank
        return bn != null ? new int[] {2} : new int[0];
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        BlockSupport.single(getClass().getSimpleName(), inputs, ranks());
        NDList out = linear.forward(ps, inputs, training, params);
        if (bn != null) {
            out = bn.forward(ps, out, training, params);
        }
        if (relu) {
            out = new NDList(Activation.relu(out.head()));
        }
        return out;
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        BlockSupport.singleShape(getClass().getSimpleName(), inputShapes, ranks());
        return linear.getOutputShapes(inputShapes);
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        BlockSupport.singleShape(getClass().getSimpleName(), shapes, ranks());
        linear.initialize(manager, dataType, shapes);
        if (bn != null) {
            bn.initialize(manager, dataType, linear.getOutputShapes(shapes));
        }
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        BlockSupport.requireInitialized(getClass().getSimpleName(), inputShapes);
        saveInputShapes(os);
        os.writeLong(units);
        os.writeBoolean(includeBias);
        os.writeBoolean(bn != null);
        os.writeBoolean(relu);
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
        BlockSupport.checkSame(name, "units", is.readLong(), units);
        BlockSupport.checkSame(name, "bias flag", is.readBoolean(), includeBias);
        BlockSupport.checkSame(name, "batch-norm flag", is.readBoolean(), bn != null);
        BlockSupport.checkSame(name, "relu flag", is.readBoolean(), relu);
        BlockSupport.checkSame(name, "epsilon", is.readFloat(), epsilon);
        BlockSupport.checkSame(name, "momentum", is.readFloat(), momentum);
    }

    /**
     * @return the DJL linear child
     */
    public Linear getLinear() {
        return linear;
    }

    /**
     * @return the DJL batch norm child, or {@code null} if this block has none
     */
    public BatchNorm getBatchNorm() {
        return bn;
    }

    /**
     * @return whether a batch norm follows the linear layer
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
     * @return the number of output features
     */
    public long getUnits() {
        return units;
    }

    /**
     * @return whether the linear layer has a bias
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
     * @return the weight parameter (out, in)
     */
    public Parameter getWeight() {
        return linear.getDirectParameters().get("weight");
    }

    /**
     * @return the bias parameter, or {@code null} without bias
     */
    public Parameter getBias() {
        return includeBias ? linear.getDirectParameters().get("bias") : null;
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
        sb.append("(units=").append(units).append(", bias=").append(includeBias);
        if (bn != null) {
            sb.append(", eps=").append(epsilon).append(", momentum=").append(momentum);
        }
        return sb.append(')').toString();
    }

    /**
     * Builder options shared by the linear blocks, named like DJL's {@code Linear.builder()}.
     *
     * @param <T> the concrete builder type
     */
    public abstract static class BaseBuilder<T extends BaseBuilder<T>> {
        long units;
        boolean includeBias = true;
        float epsilon = 1e-5f;
        float momentum = 0.9f;

        BaseBuilder() {}

        /**
         * Sets the number of output features.
         *
         * @param v the value
         * @return this builder
         */
        public T setUnits(long v) {
            units = v;
            return self();
        }

        /**
         * Sets the whether the linear layer has a bias, default true.
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
         * Sets the batch norm momentum in DJL's meaning, default 0.9.
         *
         * @param v the value
         * @return this builder
         */
        public T optMomentum(float v) {
            momentum = v;
            return self();
        }

        abstract T self();

        /**
         * Builds the block.
         *
         * @return the configured block
         */
        public abstract FusedLinear build();
    }
}
