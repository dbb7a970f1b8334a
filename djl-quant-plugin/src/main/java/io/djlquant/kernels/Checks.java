package io.djlquant.kernels;

/** Argument checks with messages that name the offending argument. */
final class Checks {

    private Checks() {}

    static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    static void scale(String name, float value) {
        if (!(value > 0f) || Float.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be positive and finite, got " + value);
        }
    }

    static void notNull(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    static void length(String name, byte[] array, long expected) {
        notNull(name, array);
        length(name, array.length, expected);
    }

    static void length(String name, float[] array, long expected) {
        notNull(name, array);
        length(name, array.length, expected);
    }

    static void length(String name, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(
                    name + " has length " + actual + " but " + expected + " was expected");
        }
    }

    /** Multiplies sizes, failing clearly when the element count does not fit in an array. */
    static int product(String what, int... sizes) {
        long p = 1;
        for (int s : sizes) {
            p *= s;
            if (p > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(what + " is too large for one Java array");
            }
        }
        return (int) p;
    }

    static void multipliers(float[] m, int channels) {
        notNull("multiplier", m);
        length("multiplier", m.length, channels);
        for (int i = 0; i < m.length; i++) {
            if (!Float.isFinite(m[i]) || m[i] < 0f) {
                throw new IllegalArgumentException(
                        "multiplier[" + i + "] must be finite and >= 0, got " + m[i]);
            }
        }
    }
}
