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

/**
 * QAT form of {@link io.djlquant.nn.Residual}: {@code join(main(x), shortcut(x))} with converted
 * children "main", "shortcut" and "join" (a QAT {@link ElementWise}, or a {@link FloatFallback}
 * around the float join). Both branches start from the producer of {@code x}; the join is wired to
 * both branch producers.
 */
public class Residual extends AbstractBlock {

    /** Parameter encoding version written by {@link #saveParameters}. */
    public static final byte VERSION = 1;

    private final Block main;
    private final Block shortcut;
    private final Block join;

    /**
     * Creates the block.
     *
     * @param main the converted main branch
     * @param shortcut the converted shortcut branch
     * @param join the converted two-input join
     */
    public Residual(Block main, Block shortcut, Block join) {
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
    public Block getJoin() {
        return join;
    }

    /** {@inheritDoc} */
    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (inputs == null || inputs.size() != 1) {
            throw new IllegalArgumentException("Residual expects exactly 1 input array");
        }
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
        Shape[] a = main.getOutputShapes(inputShapes);
        Shape[] b = shortcut.getOutputShapes(inputShapes);
        return join.getOutputShapes(new Shape[] {a[0], b[0]});
    }

    /** {@inheritDoc} */
    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        main.initialize(manager, dataType, shapes);
        shortcut.initialize(manager, dataType, shapes);
        join.initialize(
                manager,
                dataType,
                main.getOutputShapes(shapes)[0],
                shortcut.getOutputShapes(shapes)[0]);
    }

    /** {@inheritDoc} */
    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        if (inputShapes == null) {
            throw new IllegalStateException("Residual: initialize the block before saving it");
        }
        saveInputShapes(os);
    }

    /** {@inheritDoc} */
    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        if (loadVersion != version) {
            throw new MalformedModelException(
                    "qat.Residual: unsupported parameter encoding version " + loadVersion);
        }
        readInputShapes(is);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "QatResidual(main=" + main + ", shortcut=" + shortcut + ", join=" + join + ")";
    }
}
