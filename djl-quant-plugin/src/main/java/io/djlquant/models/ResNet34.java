package io.djlquant.models;

/**
 * torchvision's ResNet34 (BasicBlock x [3, 4, 6, 3], 64/128/256/512 channels) from {@link ResNets}.
 */
public final class ResNet34 {

    private ResNet34() {}

    /**
     * @return a builder with torchvision's defaults (1000 classes, ImageNet stem, 64..512 widths)
     */
    public static ResNets.Builder builder() {
        return ResNets.basic(3, 4, 6, 3);
    }
}
