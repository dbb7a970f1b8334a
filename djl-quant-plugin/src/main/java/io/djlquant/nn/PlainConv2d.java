package io.djlquant.nn;

/**
 * Float block: a plain 2-d convolution (with bias by default), the float form of a lone DJL Conv2d.
 * Behaves exactly like the DJL blocks it replaces.
 */
public class PlainConv2d extends FusedConv2d {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block from a builder.
     *
     * @param builder the configuration
     */
    protected PlainConv2d(Builder builder) {
        super(VERSION, builder, false, false);
    }

    /**
     * @return a builder, configured like DJL's {@code Conv2d.builder()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link PlainConv2d}. */
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
        public PlainConv2d build() {
            return new PlainConv2d(this);
        }
    }
}
