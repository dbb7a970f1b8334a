package io.djlquant.quantization.convert;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of every initialized parameter value of a block tree, to put back later. The PTQ
 * algorithms change float parameters in place (cross-layer equalization rescales weights, bias
 * correction moves batch-norm shifts, and a QFloat tree shares its float tree's parameters), so a
 * program that compares several of them on one trained model takes a snapshot first and restores it
 * between runs. The copies are detached and live until {@link #close()}.
 */
public final class ParameterSnapshot implements AutoCloseable {

    private final List<Parameter> parameters = new ArrayList<>();
    private final List<NDArray> values = new ArrayList<>();

    private ParameterSnapshot() {}

    /**
     * Copies the values of all initialized parameters of a tree.
     *
     * @param block the tree
     * @return the snapshot
     * @throws IllegalArgumentException if the block is null or has no initialized parameter
     */
    public static ParameterSnapshot take(Block block) {
        if (block == null) {
            throw new IllegalArgumentException("ParameterSnapshot.take needs a block");
        }
        ParameterSnapshot s = new ParameterSnapshot();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().isInitialized()) {
                s.parameters.add(p.getValue());
                s.values.add(copy(p.getValue().getArray()));
            }
        }
        if (s.parameters.isEmpty()) {
            throw new IllegalArgumentException(
                    "the block has no initialized parameter to snapshot");
        }
        return s;
    }

    /** Writes the copied values back into the same parameters (the snapshot stays usable). */
    public void restore() {
        for (int i = 0; i < parameters.size(); i++) {
            set(parameters.get(i), values.get(i));
        }
    }

    /**
     * @return the number of parameters copied
     */
    public int size() {
        return parameters.size();
    }

    /** Frees the copies. */
    @Override
    public void close() {
        values.forEach(NDArray::close);
        values.clear();
        parameters.clear();
    }

    /**
     * Replaces a parameter's value in place, keeping its array object (blocks and QAT trees that
     * hold it see the new value) and its gradient flag (so a QAT run after a PTQ algorithm still
     * trains it).
     *
     * @param p the parameter
     * @param value the new value, same shape; copied
     */
    static void set(Parameter p, NDArray value) {
        NDArray a = p.getArray();
        if (!a.getShape().equals(value.getShape())) {
            throw new IllegalArgumentException(
                    "parameter "
                            + p.getName()
                            + " is "
                            + a.getShape()
                            + ", got "
                            + value.getShape());
        }
        boolean grad = a.hasGradient();
        // intern swaps the native tensor under the same Java array: every holder sees the new value
        a.intern(copy(value));
        if (grad) {
            a.setRequiresGradient(true);
        }
    }

    private static NDArray copy(NDArray a) {
        NDArray view = a.stopGradient();
        NDArray c = view.duplicate();
        view.close();
        c.attach(a.getManager());
        return c;
    }
}
