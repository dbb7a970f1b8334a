package io.djlquant.nn;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Parallel branches on one input whose outputs are joined along the channel axis: {@code
 * concat(branch0(x), branch1(x), ...)}, with children "branch0", "branch1", ... and "join" (a
 * {@link Concat}). The float form of an inception or fire module, and what the {@link Fuser} makes
 * of a DJL {@code ParallelBlock} whose join concatenates channels.
 */
public class Branches extends AbstractBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final List<Block> branches;
    private final Concat join;

    /**
     * Creates the block.
     *
     * @param branches the branches (at least 2; one input and one output each)
     */
    public Branches(List<Block> branches) {
        super(VERSION);
        if (branches == null
                || branches.size() < 2
                || branches.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("Branches needs at least 2 non-null branches");
        }
        List<Block> added = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            added.add(addChildBlock("branch" + i, branches.get(i)));
        }
        this.branches = Collections.unmodifiableList(added);
        this.join = addChildBlock("join", new Concat(branches.size()));
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
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        BlockSupport.single("Branches", inputs);
        NDList outs = new NDList(branches.size());
        for (Block b : branches) {
            NDList y = b.forward(ps, inputs, training, params);
            if (y.size() != 1) {
                throw new IllegalStateException(
                        "Branches: every branch must return one array, "
                                + b
                                + " returned "
                                + y.size());
            }
            outs.add(y.head());
        }
        return join.forward(ps, outs, training, params);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        BlockSupport.singleShape("Branches", inputShapes);
        return join.getOutputShapes(branchShapes(inputShapes));
    }

    private Shape[] branchShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[branches.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = branches.get(i).getOutputShapes(inputShapes)[0];
        }
        return out;
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        BlockSupport.singleShape("Branches", shapes);
        for (Block b : branches) {
            b.initialize(manager, dataType, shapes);
        }
        Shape[] joined = branchShapes(shapes);
        // refuse branches that cannot be joined now, not at the first forward pass
        Concat.outputShape(this, branches.size(), joined);
        join.initialize(manager, dataType, joined);
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        BlockSupport.requireInitialized("Branches", inputShapes);
        saveInputShapes(os);
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        BlockSupport.checkVersion("Branches", version, loadVersion);
        readInputShapes(is);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "Branches(" + branches + ")";
    }
}
