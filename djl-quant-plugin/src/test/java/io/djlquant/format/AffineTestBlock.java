package io.djlquant.format;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.djlquant.engine.JqNDArray;
import io.djlquant.engine.JqNDManager;

/**
 * Test-only block computing {@code y = x * weight[j] + bias[j]} over the last dimension in plain
 * Java on JavaQuant arrays; its weight and bias are NDArrays so codecs store real tensors.
 */
public final class AffineTestBlock extends AbstractBlock {

    private final NDArray weight;
    private final NDArray bias;

    /**
     * Creates the block.
     *
     * @param weight float32 vector
     * @param bias float32 vector of the same length
     */
    public AffineTestBlock(NDArray weight, NDArray bias) {
        if (weight.size() != bias.size()) {
            throw new IllegalArgumentException("weight and bias lengths differ");
        }
        this.weight = weight;
        this.bias = bias;
    }

    NDArray getWeight() {
        return weight;
    }

    NDArray getBias() {
        return bias;
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
        float[] w = weight.toFloatArray();
        float[] b = bias.toFloatArray();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[i] * w[i % w.length] + b[i % b.length];
        }
        return new NDList(manager.wrap(out, x.getShape()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
