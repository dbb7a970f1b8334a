package io.djlquant.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import java.util.Map;

/**
 * The layout of a torchvision network family as our fused float blocks build it: what the importer
 * needs to check a state dict against a network before allocating it, build the network and copy
 * the tensors in by torchvision's names. Implemented by {@link ResNets.Builder} and {@link
 * MobileNetV2.Builder}.
 */
public interface TorchvisionLayout {

    /**
     * @return a new, uninitialized float network of this layout
     */
    SequentialBlock build();

    /**
     * @return the number of output classes
     */
    int getNumClasses();

    /**
     * @return the state-dict name of the first convolution's weight, whose second dimension is the
     *     number of input channels
     */
    String firstConvolution();

    /**
     * @return the usual square input side of the layout (224 for the ImageNet stems, 32 for the
     *     small-image stems); the parameter shapes do not depend on it
     */
    int defaultImageSize();

    /**
     * The torchvision state-dict shapes of the layout, computed without allocating the network.
     *
     * @param inChannels the input channels of the first convolution
     * @return shapes by state-dict name, in torchvision's order (no {@code num_batches_tracked})
     */
    Map<String, Shape> torchvisionShapes(long inChannels);

    /**
     * Maps torchvision's state-dict names to the parameters of a network built by {@link #build()}.
     *
     * @param net a float network of this family
     * @return the parameters in torchvision's state-dict order (no {@code num_batches_tracked})
     * @throws IllegalArgumentException if the block is not laid out as this family builds it
     */
    Map<String, Parameter> torchvisionParameters(Block net);
}
