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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torchvision-style BasicBlock ResNets (ResNet18, ResNet34 and narrow or shallow variants) built
 * from our fused float blocks, ready for {@code quantizeQat}.
 *
 * <p>Layout of a built {@link SequentialBlock}: QuantStub, stem ConvBnRelu2d ("conv1"/"bn1"),
 * MaxPool2d (ImageNet stem only), the {@link Residual} basic blocks of every layer (main branch
 * SequentialBlock(ConvBnRelu2d, ConvBn2d); shortcut {@link Identity} or a 1x1 ConvBn2d
 * "downsample"; join ElementWise ADD_RELU), GlobalAvgPool2d, the classifier PlainLinear ("fc") and
 * DequantStub. {@link #torchvisionParameters(Block)} names every parameter as torchvision's state
 * dict does.
 */
public final class ResNets {

    private static final String NETWORK = "a ResNet from ResNets.basic()";

    private ResNets() {}

    /**
     * Starts a BasicBlock ResNet with the given number of blocks per layer ({@code 2,2,2,2} is
     * ResNet18, {@code 3,4,6,3} ResNet34), torchvision widths 64/128/256/512 (64 doubled per
     * layer), 1000 classes and the ImageNet stem.
     *
     * @param blocksPerLayer the number of BasicBlocks in each layer (at least one layer)
     * @return a builder
     */
    public static Builder basic(int... blocksPerLayer) {
        return new Builder().optBlocks(blocksPerLayer);
    }

    /**
     * Maps torchvision state-dict keys ({@code conv1.weight}, {@code bn1.running_mean}, {@code
     * layer1.0.conv1.weight}, {@code layer2.0.downsample.0.weight}, {@code fc.bias}, ...) to the
     * parameters of a float ResNet built by a {@link Builder}. A new layer starts at the first
     * residual block and at every block with a downsample shortcut, as in torchvision.
     *
     * @param resnet a float ResNet from {@link Builder#build()}
     * @return the parameters in torchvision's state-dict order (no {@code num_batches_tracked})
     * @throws IllegalArgumentException if the block is not laid out as {@link Builder} builds it
     */
    public static Map<String, Parameter> torchvisionParameters(Block resnet) {
        if (!(resnet instanceof SequentialBlock)) {
            throw new IllegalArgumentException(
                    "not a ResNet from ResNets.basic(): expected SequentialBlock, got "
                            + resnet.getClass().getName());
        }
        List<Block> top = resnet.getChildren().values();
        Map<String, Parameter> out = new LinkedHashMap<>();
        int i = 0;
        expect(top, i++, QuantStub.class, "QuantStub");
        putConvBn(out, expect(top, i++, ConvBnRelu2d.class, "stem ConvBnRelu2d"), "conv1", "bn1");
        if (i < top.size() && top.get(i) instanceof MaxPool2d) {
            i++;
        }
        int layer = 0;
        int block = 0;
        boolean any = false;
        while (i < top.size() && top.get(i) instanceof Residual) {
            Residual r = (Residual) top.get(i++);
            boolean downsample = r.getShortcut() instanceof ConvBn2d;
            if (!any || downsample) {
                layer++;
                block = 0;
            }
            any = true;
            putBasicBlock(out, r, "layer" + layer + "." + block++ + ".");
        }
        if (!any) {
            throw new IllegalArgumentException(
                    "not a ResNet from ResNets.basic(): no Residual block after the stem");
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

    private static void putBasicBlock(Map<String, Parameter> out, Residual r, String prefix) {
        List<Block> main = r.getMain().getChildren().values();
        if (!(r.getMain() instanceof SequentialBlock) || main.size() != 2) {
            throw new IllegalArgumentException(
                    prefix + " main branch must be SequentialBlock(ConvBnRelu2d, ConvBn2d)");
        }
        putConvBn(
                out,
                expect(main, 0, ConvBnRelu2d.class, prefix + "conv1"),
                prefix + "conv1",
                prefix + "bn1");
        putConvBn(
                out,
                expect(main, 1, ConvBn2d.class, prefix + "conv2"),
                prefix + "conv2",
                prefix + "bn2");
        if (r.getShortcut() instanceof ConvBn2d) {
            putConvBn(
                    out,
                    (ConvBn2d) r.getShortcut(),
                    prefix + "downsample.0",
                    prefix + "downsample.1");
        } else if (!(r.getShortcut() instanceof Identity)) {
            throw new IllegalArgumentException(
                    prefix
                            + " shortcut must be Identity or ConvBn2d, got "
                            + r.getShortcut().getClass().getName());
        }
    }

    private static void putConvBn(
            Map<String, Parameter> out, FusedConv2d cb, String conv, String bn) {
        TorchvisionNames.putConvBn(out, cb, conv, bn);
    }

    private static <T extends Block> T expect(
            List<Block> blocks, int index, Class<T> type, String what) {
        return TorchvisionNames.expect(NETWORK, blocks, index, type, what);
    }

    /** Builder for BasicBlock ResNets, with DJL-style setters. */
    public static final class Builder implements TorchvisionLayout {
        private int[] blocks = {2, 2, 2, 2};
        private int[] widths;
        private int numClasses = 1000;
        private ResNet18.Stem stem = ResNet18.Stem.IMAGENET;

        Builder() {}

        /**
         * @param blocksPerLayer BasicBlocks per layer, each > 0 ({@code 2,2,2,2} for ResNet18)
         * @return this builder
         */
        public Builder optBlocks(int... blocksPerLayer) {
            if (blocksPerLayer == null || blocksPerLayer.length == 0) {
                throw new IllegalArgumentException("a ResNet needs at least one layer of blocks");
            }
            for (int b : blocksPerLayer) {
                if (b <= 0) {
                    throw new IllegalArgumentException(
                            "blocks per layer must be > 0, got " + Arrays.toString(blocksPerLayer));
                }
            }
            if (widths != null && widths.length != blocksPerLayer.length) {
                throw new IllegalArgumentException(
                        "widths "
                                + Arrays.toString(widths)
                                + " and blocks "
                                + Arrays.toString(blocksPerLayer)
                                + " differ in layer count");
            }
            blocks = blocksPerLayer.clone();
            return this;
        }

        /**
         * Sets the output channels of each layer; the stem has the first layer's width (as in
         * torchvision, whose stem and layer1 both have 64). Default: 64 doubled per layer.
         *
         * @param channelsPerLayer one width per layer, each > 0 (e.g. 8, 16, 32, 64 for a narrow
         *     test network)
         * @return this builder
         */
        public Builder optWidths(int... channelsPerLayer) {
            if (channelsPerLayer == null || channelsPerLayer.length != blocks.length) {
                throw new IllegalArgumentException(
                        "need one width per layer ("
                                + blocks.length
                                + "), got "
                                + Arrays.toString(channelsPerLayer));
            }
            for (int w : channelsPerLayer) {
                if (w <= 0) {
                    throw new IllegalArgumentException(
                            "widths must be > 0, got " + Arrays.toString(channelsPerLayer));
                }
            }
            widths = channelsPerLayer.clone();
            return this;
        }

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
        public Builder optStem(ResNet18.Stem stem) {
            if (stem == null) {
                throw new IllegalArgumentException("stem must not be null");
            }
            this.stem = stem;
            return this;
        }

        /**
         * @return BasicBlocks per layer (a copy)
         */
        public int[] getBlocks() {
            return blocks.clone();
        }

        /**
         * @return output channels per layer (a copy)
         */
        public int[] getWidths() {
            if (widths != null) {
                return widths.clone();
            }
            int[] w = new int[blocks.length];
            for (int l = 0; l < w.length; l++) {
                w[l] = 64 << l;
            }
            return w;
        }

        /**
         * @return the number of classes
         */
        @Override
        public int getNumClasses() {
            return numClasses;
        }

        /**
         * @return the stem
         */
        public ResNet18.Stem getStem() {
            return stem;
        }

        /**
         * @return a new, uninitialized float ResNet
         */
        @Override
        public SequentialBlock build() {
            int[] w = getWidths();
            SequentialBlock net = new SequentialBlock();
            net.add(new QuantStub());
            if (stem == ResNet18.Stem.IMAGENET) {
                net.add(conv(ConvBnRelu2d.builder(), w[0], 7, 2, 3));
                net.add(new MaxPool2d(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
            } else {
                net.add(conv(ConvBnRelu2d.builder(), w[0], 3, 1, 1));
            }
            int in = w[0];
            for (int layer = 0; layer < blocks.length; layer++) {
                for (int b = 0; b < blocks[layer]; b++) {
                    int stride = layer > 0 && b == 0 ? 2 : 1;
                    net.add(basicBlock(in, w[layer], stride));
                    in = w[layer];
                }
            }
            net.add(new GlobalAvgPool2d());
            net.add(PlainLinear.builder().setUnits(numClasses).build());
            net.add(new DequantStub());
            return net;
        }

        /** {@inheritDoc} */
        @Override
        public String firstConvolution() {
            return "conv1.weight";
        }

        /** {@inheritDoc} */
        @Override
        public int defaultImageSize() {
            return stem == ResNet18.Stem.IMAGENET ? 224 : 32;
        }

        /** {@inheritDoc} */
        @Override
        public Map<String, Parameter> torchvisionParameters(Block net) {
            return ResNets.torchvisionParameters(net);
        }

        /**
         * {@inheritDoc}
         *
         * <p>A block has a {@code downsample} shortcut where the stride or the width changes, as
         * {@link #build()} gives it one.
         */
        @Override
        public Map<String, Shape> torchvisionShapes(long inChannels) {
            Map<String, Shape> out = new LinkedHashMap<>();
            int[] w = getWidths();
            long k = stem == ResNet18.Stem.IMAGENET ? 7 : 3;
            TorchvisionNames.putConvBnShapes(
                    out, "conv1", "bn1", new Shape(w[0], inChannels, k, k));
            long in = w[0];
            for (int layer = 0; layer < blocks.length; layer++) {
                for (int b = 0; b < blocks[layer]; b++) {
                    String p = "layer" + (layer + 1) + "." + b + ".";
                    TorchvisionNames.putConvBnShapes(
                            out, p + "conv1", p + "bn1", new Shape(w[layer], in, 3, 3));
                    TorchvisionNames.putConvBnShapes(
                            out, p + "conv2", p + "bn2", new Shape(w[layer], w[layer], 3, 3));
                    if ((layer > 0 && b == 0) || in != w[layer]) {
                        TorchvisionNames.putConvBnShapes(
                                out,
                                p + "downsample.0",
                                p + "downsample.1",
                                new Shape(w[layer], in, 1, 1));
                    }
                    in = w[layer];
                }
            }
            out.put("fc.weight", new Shape(numClasses, in));
            out.put("fc.bias", new Shape(numClasses));
            return out;
        }

        /** {@inheritDoc} */
        @Override
        public String toString() {
            return "ResNet(blocks="
                    + Arrays.toString(blocks)
                    + ", widths="
                    + Arrays.toString(getWidths())
                    + ", classes="
                    + numClasses
                    + ", stem="
                    + stem
                    + ")";
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
            return b.setFilters(filters)
                    .setKernelShape(new Shape(kernel, kernel))
                    .optStride(new Shape(stride, stride))
                    .optPadding(new Shape(pad, pad))
                    .build();
        }
    }
}
