package io.djlquant.quantized;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Quantized parallel branches joined along the channel axis: children "branch0", "branch1", ...
 * (quantized blocks on the same input) and "join" (a quantized {@link Concat}).
 */
public class Branches extends QuantizedBlock {

    private final List<Block> branches;
    private final Concat join;

    /**
     * Creates the block.
     *
     * @param branches the branches (at least 2)
     * @param join the quantized join of all branch outputs
     */
    public Branches(List<Block> branches, Concat join) {
        if (branches == null
                || branches.size() < 2
                || branches.stream().anyMatch(java.util.Objects::isNull)
                || join == null) {
            throw new IllegalArgumentException(name() + " needs at least 2 branches and a join");
        }
        if (join.getInputQParams().length != branches.size()) {
            throw new IllegalArgumentException(
                    name()
                            + ": the join takes "
                            + join.getInputQParams().length
                            + " inputs but there are "
                            + branches.size()
                            + " branches");
        }
        List<Block> added = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            added.add(addChildBlock("branch" + i, branches.get(i)));
        }
        this.branches = Collections.unmodifiableList(added);
        this.join = addChildBlock("join", join);
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardQuantized(NDList inputs) {
        expectInputs(inputs, 1);
        // quantized children ignore the store; one on the input's manager opens no engine manager
        ParameterStore ps = new ParameterStore(inputs.head().getManager(), false);
        NDList outs = new NDList(branches.size());
        for (Block b : branches) {
            NDList y = b.forward(ps, inputs, false, null);
            if (y.size() != 1) {
                throw new IllegalStateException(
                        name() + ": a branch returned " + y.size() + " arrays");
            }
            outs.add(y.head());
        }
        return join.forward(ps, outs, false, null);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] outs = new Shape[branches.size()];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = branches.get(i).getOutputShapes(inputShapes)[0];
        }
        return join.getOutputShapes(outs);
    }

    /**
     * @return the branches, in join order
     */
    public List<Block> getBranches() {
        return branches;
    }

    /**
     * @return the join
     */
    public Concat getJoin() {
        return join;
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return name() + "(" + branches + ", join=" + join + ")";
    }
}
