package io.djlquant.quantized.fallback;

import ai.djl.ndarray.types.Shape;

/**
 * A float activation of a layer kept in float: row-major values and their shape.
 *
 * @param data the values, {@code shape.size()} of them
 * @param shape the shape
 */
public record FloatValues(float[] data, Shape shape) {

    /** Checks that the values fill the shape. */
    public FloatValues {
        if (data == null || shape == null) {
            throw new IllegalArgumentException("float values need data and a shape");
        }
        if (data.length != shape.size()) {
            throw new IllegalArgumentException(data.length + " values do not fill shape " + shape);
        }
    }

    /**
     * Returns dimension {@code i} as an int.
     *
     * @param i the axis
     * @return its length
     */
    int dim(int i) {
        return Math.toIntExact(shape.get(i));
    }
}
