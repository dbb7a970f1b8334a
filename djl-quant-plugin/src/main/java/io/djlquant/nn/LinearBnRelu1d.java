package io.djlquant.nn;

/**
 * Float block: a fully connected layer, batch norm over the features and ReLU. Behaves exactly like
 * the DJL blocks it replaces.
 */
public class LinearBnRelu1d extends FusedLinear {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block from a builder.
     *
     * @param builder the configuration
     */
    protected LinearBnRelu1d(Builder builder) {
        super(VERSION, builder, true, true);
    }

    /**
     * @return a builder, configured like DJL's {@code Linear.builder()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link LinearBnRelu1d}. */
    public static final class Builder extends BaseBuilder<Builder> {
        Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /** {@inheritDoc} */
        @Override
        public LinearBnRelu1d build() {
            return new LinearBnRelu1d(this);
        }
    }
}
