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

/**
 * A residual unit: {@code out = join(main(x), shortcut(x))} with children "main", "shortcut" (an
 * {@link Identity} when the shapes already match) and "join" (an {@link ElementWise}).
 */
public class Residual extends AbstractBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final Block main;
    private final Block shortcut;
    private final ElementWise join;

    /**
     * Creates the block.
     *
     * @param main the main branch (one input, one output)
     * @param shortcut the shortcut branch (one input, one output)
     * @param join the element-wise join of the two branch outputs
     */
    public Residual(Block main, Block shortcut, ElementWise join) {
        super(VERSION);
        if (main == null || shortcut == null || join == null) {
            throw new IllegalArgumentException("Residual needs non-null main, shortcut and join");
        }
        this.main = addChildBlock("main", main);
        this.shortcut = addChildBlock("shortcut", shortcut);
        this.join = addChildBlock("join", join);
    }

    /**
     * @return the main branch
     */
    public Block getMain() {
        return main;
    }

    /**
     * @return the shortcut branch
     */
    public Block getShortcut() {
        return shortcut;
    }

    /**
     * @return the join
     */
    public ElementWise getJoin() {
        return join;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        BlockSupport.single("Residual", inputs);
        NDList a = main.forward(ps, inputs, training, params);
        NDList b = shortcut.forward(ps, inputs, training, params);
        if (a.size() != 1 || b.size() != 1) {
            throw new IllegalStateException(
                    "Residual branches must return one array each, got "
                            + a.size()
                            + " and "
                            + b.size());
        }
        return join.forward(ps, new NDList(a.head(), b.head()), training, params);
    }

    /** {@inheritDoc} */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        BlockSupport.singleShape("Residual", inputShapes);
        Shape[] a = main.getOutputShapes(inputShapes);
        Shape[] b = shortcut.getOutputShapes(inputShapes);
        return join.getOutputShapes(new Shape[] {a[0], b[0]});
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        BlockSupport.singleShape("Residual", shapes);
        main.initialize(manager, dataType, shapes);
        shortcut.initialize(manager, dataType, shapes);
        Shape a = main.getOutputShapes(shapes)[0];
        Shape b = shortcut.getOutputShapes(shapes)[0];
        join.initialize(manager, dataType, a, b);
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        BlockSupport.requireInitialized("Residual", inputShapes);
        saveInputShapes(os);
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        BlockSupport.checkVersion("Residual", version, loadVersion);
        readInputShapes(is);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "Residual(main=" + main + ", shortcut=" + shortcut + ", join=" + join + ")";
    }
}
