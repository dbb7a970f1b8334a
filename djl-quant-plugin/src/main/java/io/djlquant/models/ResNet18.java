package io.djlquant.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import io.djlquant.nn.ConvBn2d;
import io.djlquant.nn.ConvBnRelu2d;
import io.djlquant.nn.DequantStub;
import io.djlquant.nn.ElementWise;
import io.djlquant.nn.FusedConv2d;
import io.djlquant.nn.GlobalAvgPool2d;
import io.djlquant.nn.Identity;
import io.djlquant.nn.MaxPool2d;
import io.djlquant.nn.PlainLinear;
import io.djlquant.nn.QuantStub;
import io.djlquant.nn.Residual;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The standard ResNet18 (BasicBlock x [2, 2, 2, 2], 64/128/256/512 channels) built from our fused
 * float blocks, ready for {@code quantizeQat}.
 *
 * <p>Layout of the returned {@link SequentialBlock}: QuantStub, stem ConvBnRelu2d ("conv1"/"bn1"),
 * MaxPool2d (ImageNet stem only), eight {@link Residual} basic blocks whose main branch is a
 * SequentialBlock(ConvBnRelu2d, ConvBn2d), whose shortcut is {@link Identity} or a 1x1 ConvBn2d
 * ("downsample") and whose join is ElementWise ADD_RELU, then GlobalAvgPool2d, the classifier
 * PlainLinear ("fc") and DequantStub. {@link #torchvisionParameters(Block)} names every parameter
 * the way torchvision's {@code resnet18} state dict does.
 */
public final class ResNet18 {

    /** Stages of BasicBlocks per layer. */
    static final int[] BLOCKS = {2, 2, 2, 2};
    /** Output channels per layer. */
    static final int[] WIDTHS = {64, 128, 256, 512};

    /** How the network reduces the input before the residual layers. */
    public enum Stem {
        /** torchvision's stem: 7x7 stride-2 conv, BN, ReLU, 3x3 stride-2 max pool. */
        IMAGENET,
        /** CIFAR-style stem for small images: 3x3 stride-1 conv, BN, ReLU, no pooling. */
        SMALL
    }

    private ResNet18() {}

    /** @return a builder with torchvision's defaults (1000 classes, ImageNet stem) */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Maps torchvision's {@code resnet18} state-dict keys ({@code conv1.weight},
     * {@code bn1.running_mean}, {@code layer1.0.conv1.weight}, {@code layer2.0.downsample.0.weight},
     * {@code fc.bias}, ...) to the parameters of a float ResNet18 built by {@link #builder()}.
     *
     * @param resnet a float ResNet18 from {@link Builder#build()}
     * @return the parameters in torchvision's state-dict order (no {@code num_batches_tracked})
     * @throws IllegalArgumentException if the block is not laid out as this class builds it
     */
    public static Map<String, Parameter> torchvisionParameters(Block resnet) {
        if (!(resnet instanceof SequentialBlock)) {
            throw new IllegalArgumentException(
                    "not a ResNet18 from ResNet18.builder(): expected SequentialBlock, got "
                            + resnet.getClass().getName());
        }
        List<Block> top = resnet.getChildren().values();
        Map<String, Parameter> out = new LinkedHashMap<>();
        int i = 0;
        expect(top, i++, QuantStub.class, "QuantStub");
        FusedConv2d stem = expect(top, i++, ConvBnRelu2d.class, "stem ConvBnRelu2d");
        putConvBn(out, stem, "conv1", "bn1");
        if (i < top.size() && top.get(i) instanceof MaxPool2d) {
            i++;
        }
        for (int layer = 0; layer < BLOCKS.length; layer++) {
            for (int b = 0; b < BLOCKS[layer]; b++) {
                String prefix = "layer" + (layer + 1) + "." + b + ".";
                Residual r = expect(top, i++, Residual.class, prefix + " Residual");
                List<Block> main = r.getMain().getChildren().values();
                if (!(r.getMain() instanceof SequentialBlock) || main.size() != 2) {
                    throw new IllegalArgumentException(
                            prefix + " main branch must be SequentialBlock(ConvBnRelu2d, ConvBn2d)");
                }
                putConvBn(out, expect(main, 0, ConvBnRelu2d.class, prefix + "conv1"), prefix + "conv1", prefix + "bn1");
                putConvBn(out, expect(main, 1, ConvBn2d.class, prefix + "conv2"), prefix + "conv2", prefix + "bn2");
                if (r.getShortcut() instanceof ConvBn2d) {
                    putConvBn(out, (ConvBn2d) r.getShortcut(), prefix + "downsample.0", prefix + "downsample.1");
                } else if (!(r.getShortcut() instanceof Identity)) {
                    throw new IllegalArgumentException(
                            prefix + " shortcut must be Identity or ConvBn2d, got "
                                    + r.getShortcut().getClass().getName());
                }
            }
        }
        expect(top, i++, GlobalAvgPool2d.class, "GlobalAvgPool2d");
        PlainLinear fc = expect(top, i++, PlainLinear.class, "fc PlainLinear");
        out.put("fc.weight", fc.getWeight());
        out.put("fc.bias", fc.getBias());
        expect(top, i++, DequantStub.class, "DequantStub");
        if (i != top.size()) {
            throw new IllegalArgumentException("unexpected extra blocks after DequantStub");
        }
        return out;
    }

    private static void putConvBn(Map<String, Parameter> out, FusedConv2d cb, String conv, String bn) {
        out.put(conv + ".weight", cb.getWeight());
        out.put(bn + ".weight", cb.getBatchNormParameter("gamma"));
        out.put(bn + ".bias", cb.getBatchNormParameter("beta"));
        out.put(bn + ".running_mean", cb.getBatchNormParameter("runningMean"));
        out.put(bn + ".running_var", cb.getBatchNormParameter("runningVar"));
    }

    private static <T extends Block> T expect(List<Block> blocks, int index, Class<T> type, String what) {
        if (index >= blocks.size() || !type.isInstance(blocks.get(index))) {
            String got = index < blocks.size() ? blocks.get(index).getClass().getSimpleName() : "nothing";
            throw new IllegalArgumentException(
                    "not a ResNet18 from ResNet18.builder(): expected " + what + " at position "
                            + index + ", got " + got);
        }
        return type.cast(blocks.get(index));
    }

    /** Builder for ResNet18, with DJL-style setters. */
    public static final class Builder {
        private int numClasses = 1000;
        private Stem stem = Stem.IMAGENET;

        Builder() {}

        /**
         * @param numClasses number of output classes (1000 for ImageNet, 10 for Fashion-MNIST)
         * @return this builder
         */
        public Builder optNumClasses(int numClasses) {
            if (numClasses <= 0) {
                throw new IllegalArgumentException("numClasses must be > 0, got " + numClasses);
            }
            this.numClasses = numClasses;
            return this;
        }

        /**
         * @param stem the input stem
         * @return this builder
         */
        public Builder optStem(Stem stem) {
            if (stem == null) {
                throw new IllegalArgumentException("stem must not be null");
            }
            this.stem = stem;
            return this;
        }

        /** @return a new, uninitialized float ResNet18 */
        public SequentialBlock build() {
            SequentialBlock net = new SequentialBlock();
            net.add(new QuantStub());
            if (stem == Stem.IMAGENET) {
                net.add(conv(ConvBnRelu2d.builder(), 64, 7, 2, 3));
                net.add(new MaxPool2d(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
            } else {
                net.add(conv(ConvBnRelu2d.builder(), 64, 3, 1, 1));
            }
            int in = 64;
            for (int layer = 0; layer < BLOCKS.length; layer++) {
                int width = WIDTHS[layer];
                for (int b = 0; b < BLOCKS[layer]; b++) {
                    int stride = layer > 0 && b == 0 ? 2 : 1;
                    net.add(basicBlock(in, width, stride));
                    in = width;
                }
            }
            net.add(new GlobalAvgPool2d());
            net.add(PlainLinear.builder().setUnits(numClasses).build());
            net.add(new DequantStub());
            return net;
        }

        private static Residual basicBlock(int in, int out, int stride) {
            SequentialBlock main = new SequentialBlock();
            main.add(conv(ConvBnRelu2d.builder(), out, 3, stride, 1));
            main.add(conv(ConvBn2d.builder(), out, 3, 1, 1));
            Block shortcut =
                    stride != 1 || in != out
                            ? conv(ConvBn2d.builder(), out, 1, stride, 0)
                            : new Identity();
            return new Residual(main, shortcut, new ElementWise(ElementWise.Mode.ADD_RELU));
        }

        private static <B extends FusedConv2d.BaseBuilder<B>> Block conv(
                FusedConv2d.BaseBuilder<B> b, int filters, int kernel, int stride, int pad) {
            b.setFilters(filters)
                    .setKernelShape(new Shape(kernel, kernel))
                    .optStride(new Shape(stride, stride))
                    .optPadding(new Shape(pad, pad));
            if (b instanceof ConvBnRelu2d.Builder) {
                return ((ConvBnRelu2d.Builder) b).build();
            }
            return ((ConvBn2d.Builder) b).build();
        }
    }
}
