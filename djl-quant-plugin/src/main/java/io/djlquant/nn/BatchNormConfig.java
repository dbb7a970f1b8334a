package io.djlquant.nn;

import ai.djl.nn.norm.BatchNorm;
import java.lang.reflect.Field;

/**
 * The configuration of a DJL {@link BatchNorm}. DJL 0.36 offers no getters for it and its forward
 * result cannot reveal epsilon exactly, so the private fields are read by reflection (allowed on
 * the class path). If a DJL release renames them, {@link #read} returns {@code null} and the Fuser
 * keeps the batch norm unfused instead of guessing.
 */
final class BatchNormConfig {

    final int axis;
    final float epsilon;
    final float momentum;
    final boolean center;
    final boolean scale;

    private BatchNormConfig(
            int axis, float epsilon, float momentum, boolean center, boolean scale) {
        this.axis = axis;
        this.epsilon = epsilon;
        this.momentum = momentum;
        this.center = center;
        this.scale = scale;
    }

    /** Returns the config of {@code bn}, or {@code null} if it cannot be read. */
    static BatchNormConfig read(BatchNorm bn) {
        try {
            return new BatchNormConfig(
                    field(bn, "axis").getInt(bn),
                    field(bn, "epsilon").getFloat(bn),
                    field(bn, "momentum").getFloat(bn),
                    field(bn, "center").getBoolean(bn),
                    field(bn, "scale").getBoolean(bn));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Field field(BatchNorm bn, String name) throws NoSuchFieldException {
        Field f = BatchNorm.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
