package io.djlquant.nn;

/**
 * Float block: a fully connected layer followed by ReLU. Behaves exactly like the DJL blocks it
 * replaces.
 */
public class LinearRelu extends FusedLinear {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block from a builder.
     *
     * @param builder the configuration
     */
    protected LinearRelu(Builder builder) {
        super(VERSION, builder, false, true);
    }

    /**
     * @return a builder, configured like DJL's {@code Linear.builder()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link LinearRelu}. */
    public static final class Builder extends BaseBuilder<Builder> {
        Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /** {@inheritDoc} */
        @Override
        public LinearRelu build() {
            return new LinearRelu(this);
        }
    }
}
