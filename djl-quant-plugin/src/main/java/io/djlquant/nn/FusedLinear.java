package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
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
public abstract class FusedLinear extends AbstractFusedLayer {

    private final long units;

    private final Linear linear;

    /**
     * Creates the block from a builder.
     *
     * @param version this class's parameter encoding version
     * @param b the configuration
     * @param withBatchNorm whether a batch norm follows the linear layer
     * @param withRelu whether a ReLU ends the block
     */
    protected FusedLinear(byte version, BaseBuilder<?> b, boolean withBatchNorm, boolean withRelu) {
        super(version, b.includeBias, withRelu, b.epsilon, b.momentum);
        if (b.units <= 0) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName() + ": units must be > 0, got " + b.units);
        }
        units = b.units;
        linear =
                addChildBlock(
                        "linear", Linear.builder().setUnits(units).optBias(b.includeBias).build());
        addBatchNorm(withBatchNorm);
    }

    private int[] ranks() {
        // batch norm over features needs (N, F); a lone linear layer works on the last axis of any
        // rank
        return hasBatchNorm() ? new int[] {2} : new int[0];
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        BlockSupport.single(getClass().getSimpleName(), inputs, ranks());
        return normalizeAndActivate(
                ps, linear.forward(ps, inputs, training, params), training, params);
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
        initializeBatchNorm(manager, dataType, linear.getOutputShapes(shapes));
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        BlockSupport.requireInitialized(getClass().getSimpleName(), inputShapes);
        saveInputShapes(os);
        os.writeLong(units);
        os.writeBoolean(isIncludeBias());
        os.writeBoolean(hasBatchNorm());
        os.writeBoolean(hasRelu());
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
        BlockSupport.checkSame(name, "units", is.readLong(), units);
        BlockSupport.checkSame(name, "bias flag", is.readBoolean(), isIncludeBias());
        BlockSupport.checkSame(name, "batch-norm flag", is.readBoolean(), hasBatchNorm());
        BlockSupport.checkSame(name, "relu flag", is.readBoolean(), hasRelu());
        BlockSupport.checkSame(name, "epsilon", is.readFloat(), getEpsilon());
        BlockSupport.checkSame(name, "momentum", is.readFloat(), getMomentum());
    }

    /**
     * @return the DJL linear child
     */
    public Linear getLinear() {
        return linear;
    }

    /**
     * @return the number of output features
     */
    public long getUnits() {
        return units;
    }

    /** {@inheritDoc} */
    @Override
    protected Block layer() {
        return linear;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName());
        sb.append("(units=").append(units).append(", bias=").append(isIncludeBias());
        return appendBatchNorm(sb).append(')').toString();
    }

    /**
     * Builder options shared by the linear blocks, named like DJL's {@code Linear.builder()}.
     *
     * @param <T> the concrete builder type
     */
    public abstract static class BaseBuilder<T extends BaseBuilder<T>> extends LayerBuilder<T> {
        long units;

        BaseBuilder() {
            super(true);
        }

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
         * Builds the block.
         *
         * @return the configured block
         */
        public abstract FusedLinear build();
    }
}
