package io.djlquant.nn;

/**
 * Float block: a fully connected layer followed by batch norm over the features. Behaves exactly
 * like the DJL blocks it replaces.
 */
public class LinearBn1d extends FusedLinear {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block from a builder.
     *
     * @param builder the configuration
     */
    protected LinearBn1d(Builder builder) {
        super(VERSION, builder, true, false);
    }

    /**
     * @return a builder, configured like DJL's {@code Linear.builder()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link LinearBn1d}. */
    public static final class Builder extends BaseBuilder<Builder> {
        Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /** {@inheritDoc} */
        @Override
        public LinearBn1d build() {
            return new LinearBn1d(this);
        }
    }
}
