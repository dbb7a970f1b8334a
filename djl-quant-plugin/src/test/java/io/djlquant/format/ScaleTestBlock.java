package io.djlquant.format;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.engine.JqNDArray;
import io.djlquant.engine.JqNDManager;

/** Test-only block computing {@code y = x * factor} in plain Java; the factor is config. */
public final class ScaleTestBlock extends AbstractBlock {

    private final float factor;

    /**
     * Creates the block.
     *
     * @param factor the factor
     */
    public ScaleTestBlock(float factor) {
        this.factor = factor;
    }

    float getFactor() {
        return factor;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        JqNDManager manager = (JqNDManager) store.getManager();
        JqNDArray x = manager.from(inputs.singletonOrThrow());
        float[] in = x.getFloatData();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] * factor;
        }
        return new NDList(manager.wrap(out, x.getShape()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
