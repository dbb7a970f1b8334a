package io.djlquant.nn;

import ai.djl.nn.Parameter;

/**
 * What the fused convolution and linear blocks have in common, for the QAT and int8 forms that fold
 * their batch norm and quantize their weights: the layer's parameters, the batch norm that may
 * follow it and the activation that may end it.
 */
public interface FusedLayer {

    /**
     * @return the layer weight parameter
     */
    Parameter getWeight();

    /**
     * @return the layer bias parameter, or {@code null} without one
     */
    Parameter getBias();

    /**
     * @return whether a batch norm follows the layer
     */
    boolean hasBatchNorm();

    /**
     * Returns a batch norm parameter.
     *
     * @param name gamma, beta, runningMean or runningVar
     * @return the parameter
     * @throws IllegalStateException if the block has no batch norm
     */
    Parameter getBatchNormParameter(String name);

    /**
     * @return the batch norm epsilon (meaningful only with a batch norm)
     */
    float getEpsilon();

    /**
     * @return the batch norm momentum in DJL's meaning (weight of the old running value)
     */
    float getMomentum();

    /**
     * @return whether the block ends with a ReLU
     */
    boolean hasRelu();

    /**
     * @return whether that ReLU is capped at 6
     */
    default boolean hasRelu6() {
        return false;
    }
}
