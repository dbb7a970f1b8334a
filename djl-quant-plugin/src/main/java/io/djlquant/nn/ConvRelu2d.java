package io.djlquant.nn;

/**
 * Float block: a 2-d convolution (with bias by default) followed by ReLU. Behaves exactly like the
 * DJL blocks it replaces.
 */
public class ConvRelu2d extends FusedConv2d {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block from a builder.
     *
     * @param builder the configuration
     */
    protected ConvRelu2d(Builder builder) {
        super(VERSION, builder, false, true);
    }

    /**
     * @return a builder, configured like DJL's {@code Conv2d.builder()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link ConvRelu2d}. */
    public static final class Builder extends BaseBuilder<Builder> {
        Builder() {
            super(true);
        }

        @Override
        Builder self() {
            return this;
        }

        /** {@inheritDoc} */
        @Override
        public ConvRelu2d build() {
            return new ConvRelu2d(this);
        }
    }
}
