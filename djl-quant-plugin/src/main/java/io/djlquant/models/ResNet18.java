package io.djlquant.models;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.Map;

/**
 * The standard ResNet18 (BasicBlock x [2, 2, 2, 2], 64/128/256/512 channels) built from our fused
 * float blocks by {@link ResNets}, ready for {@code quantizeQat}. Also owns the {@link Stem} choice
 * shared by all {@link ResNets} builders.
 */
public final class ResNet18 {

    /** How the network reduces the input before the residual layers. */
    public enum Stem {
        /** torchvision's stem: 7x7 stride-2 conv, BN, ReLU, 3x3 stride-2 max pool. */
        IMAGENET,
        /** CIFAR-style stem for small images: 3x3 stride-1 conv, BN, ReLU, no pooling. */
        SMALL
    }

    private ResNet18() {}

    /**
     * @return a builder with torchvision's defaults (1000 classes, ImageNet stem, 64..512 widths)
     */
    public static ResNets.Builder builder() {
        return ResNets.basic(2, 2, 2, 2);
    }

    /**
     * Maps torchvision's {@code resnet18} state-dict keys to the parameters of a float ResNet18;
     * see {@link ResNets#torchvisionParameters(Block)}.
     *
     * @param resnet a float ResNet from {@link ResNets.Builder#build()}
     * @return the parameters in torchvision's state-dict order (no {@code num_batches_tracked})
     * @throws IllegalArgumentException if the block is not laid out as {@link ResNets} builds it
     */
    public static Map<String, Parameter> torchvisionParameters(Block resnet) {
        return ResNets.torchvisionParameters(resnet);
    }
}
