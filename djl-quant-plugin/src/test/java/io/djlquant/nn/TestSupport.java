package io.djlquant.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.Pair;

/** Helpers shared by the tests of this package. */
final class TestSupport {

    private TestSupport() {}

    /**
     * Gives every parameter of {@code b} a random, non-trivial initializer, so batch norm is far
     * from the identity (gamma and running variance around 1, beta and running mean around 0).
     */
    static void randomInit(Block b) {
        // Xavier keeps activations of deep nets (ResNet) at a sane scale, so 1e-5 is a real bound
        b.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        b.setInitializer(new NormalInitializer(0.2f), Parameter.Type.BIAS);
        Initializer aroundOne = (m, s, t) -> m.randomUniform(0.5f, 1.5f, s, t);
        Initializer aroundZero = (m, s, t) -> m.randomNormal(0f, 0.3f, s, t);
        b.setInitializer(aroundOne, Parameter.Type.GAMMA);
        b.setInitializer(aroundOne, Parameter.Type.RUNNING_VAR);
        b.setInitializer(aroundZero, Parameter.Type.BETA);
        b.setInitializer(aroundZero, Parameter.Type.RUNNING_MEAN);
    }

    /** Copies {@code src}'s direct parameter values into the not yet initialized {@code dst}. */
    static void copyParams(Block src, Block dst, NDManager manager) {
        for (Pair<String, Parameter> p : dst.getDirectParameters()) {
            NDArray from = src.getDirectParameters().get(p.getKey()).getArray();
            NDArray view = from.stopGradient();
            NDArray copy = view.duplicate();
            copy.attach(manager);
            p.getValue().setArray(copy);
        }
    }

    /** Max absolute difference of two arrays of the same shape. */
    static float maxDiff(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape(), "shapes differ");
        return a.sub(b).abs().max().getFloat();
    }

    /** A parameter's current values as a Java array (a snapshot). */
    static float[] values(Block b, String name) {
        return b.getDirectParameters().get(name).getArray().toFloatArray();
    }
}
