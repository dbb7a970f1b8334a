package io.djlquant.quantized;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Random;

/** Helpers shared by the quantized tests. */
final class QTests {

    private QTests() {}

    static NDManager jq() {
        return Engine.getEngine("JavaQuant").newBaseManager();
    }

    static float[] uniform(long seed, int n, float lo, float hi) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * r.nextFloat();
        }
        return x;
    }

    /** Runs an inference forward pass. */
    static NDArray run(Block b, NDManager m, NDArray x) {
        return b.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
    }

    static NDArray input(NDManager m, long seed, Shape shape, float lo, float hi) {
        return m.create(uniform(seed, (int) shape.size(), lo, hi), shape);
    }

    /** The first node of a type in a graph (depth first), or an AssertionError. */
    static io.djlquant.format.JqNode findNode(io.djlquant.format.JqNode root, String type) {
        java.util.Deque<io.djlquant.format.JqNode> pending = new java.util.ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            io.djlquant.format.JqNode n = pending.pop();
            if (n.getType().equals(type)) {
                return n;
            }
            n.getChildren().forEach(pending::push);
        }
        throw new AssertionError("no node of type " + type);
    }
}
