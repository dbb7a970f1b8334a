package io.djlquant.nn;

/**
 * Float block: a 2-d convolution (no bias by default), batch norm and ReLU. Behaves exactly like
 * the DJL blocks it replaces.
 */
public class ConvBnRelu2d extends FusedConv2d {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block from a builder.
     *
     * @param builder the configuration
     */
    protected ConvBnRelu2d(Builder builder) {
        super(VERSION, builder, true, true);
    }

    /**
     * @return a builder, configured like DJL's {@code Conv2d.builder()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link ConvBnRelu2d}. */
    public static final class Builder extends BaseBuilder<Builder> {
        Builder() {
            super(false);
        }

        @Override
        Builder self() {
            return this;
        }

        /** {@inheritDoc} */
        @Override
        public ConvBnRelu2d build() {
            return new ConvBnRelu2d(this);
        }
    }
}
