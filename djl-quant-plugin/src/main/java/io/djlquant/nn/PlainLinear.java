package io.djlquant.nn;

/**
 * Float block: a plain fully connected layer, the float form of a lone DJL Linear. Behaves exactly
 * like the DJL blocks it replaces.
 */
public class PlainLinear extends FusedLinear {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    /**
     * Creates the block from a builder.
     *
     * @param builder the configuration
     */
    protected PlainLinear(Builder builder) {
        super(VERSION, builder, false, false);
    }

    /**
     * @return a builder, configured like DJL's {@code Linear.builder()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link PlainLinear}. */
    public static final class Builder extends BaseBuilder<Builder> {
        Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /** {@inheritDoc} */
        @Override
        public PlainLinear build() {
            return new PlainLinear(this);
        }
    }
}
