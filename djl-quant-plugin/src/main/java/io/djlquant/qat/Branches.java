package io.djlquant.qat;

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
 * QAT form of {@link io.djlquant.nn.Branches}: converted branches "branch0", "branch1", ... that
 * all start from the producer of {@code x}, and a join (a QAT {@link Concat}, or a {@link
 * FloatFallback} around the float one) wired to every branch's producer.
 */
public class Branches extends AbstractBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final List<Block> branches;
    private final Block join;

    /**
     * Creates the block.
     *
     * @param branches the converted branches (at least 2)
     * @param join the converted join of all branch outputs
     */
    public Branches(List<Block> branches, Block join) {
        super(VERSION);
        if (branches == null
                || branches.size() < 2
                || branches.stream().anyMatch(java.util.Objects::isNull)
                || join == null) {
            throw new IllegalArgumentException(
                    "Branches needs at least 2 non-null branches and a join");
        }
        List<Block> added = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            added.add(addChildBlock("branch" + i, branches.get(i)));
        }
        this.branches = Collections.unmodifiableList(added);
        this.join = addChildBlock("join", join);
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
    public Block getJoin() {
        return join;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (inputs == null || inputs.size() != 1) {
            throw new IllegalArgumentException("Branches expects exactly 1 input array");
        }
        NDList outs = new NDList(branches.size());
        for (Block b : branches) {
            NDList y = b.forward(ps, inputs, training, params);
            if (y.size() != 1) {
                throw new IllegalStateException(
                        "QatBranches: every branch must return one array, "
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
        for (Block b : branches) {
            b.initialize(manager, dataType, shapes);
        }
        join.initialize(manager, dataType, branchShapes(shapes));
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        if (inputShapes == null) {
            throw new IllegalStateException("Branches: initialize the block before saving it");
        }
        saveInputShapes(os);
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion != version) {
            throw new MalformedModelException(
                    "qat.Branches: unsupported parameter encoding version " + loadVersion);
        }
        readInputShapes(is);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "QatBranches(" + branches + ", join=" + join + ")";
    }
}
