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
import io.djlquant.nn.PlainLinear;
import io.djlquant.nn.QuantStub;
import io.djlquant.nn.Residual;
import java.util.Arrays;
import java.util.Map;

/**
 * torchvision's MobileNetV2 ({@code torchvision.models.mobilenet_v2}) built from our fused float
 * blocks, ready for {@code quantizeQat}.
 *
 * <p>Layout of a built {@link SequentialBlock}: QuantStub; {@code features.0}, a 3x3 ConvBnRelu2d
 * (ReLU6, stride 2, or 1 for 32x32 inputs); {@code features.1..17}, the inverted residual blocks,
 * each a SequentialBlock of an expanding 1x1 ConvBnRelu2d (ReLU6; absent when the expansion is 1),
 * a depthwise 3x3 ConvBnRelu2d (ReLU6) and a projecting 1x1 ConvBn2d, wrapped in a {@link Residual}
 * (Identity shortcut, ElementWise ADD without ReLU) where the stride is 1 and the width does not
 * change; {@code features.18}, a 1x1 ConvBnRelu2d (ReLU6) to the last channel count;
 * GlobalAvgPool2d; {@code classifier.1}, a PlainLinear (torchvision's {@code classifier.0} is a
 * dropout, the identity in inference, so it has no block); DequantStub. {@link
 * #torchvisionParameters(Block)} names every parameter as torchvision's state dict does.
 */
public final class MobileNetV2 {

    /**
     * torchvision's inverted residual setting: expansion t, base channels c, repeats n, stride s.
     */
    static final int[][] SETTING = {
        {1, 16, 1, 1},
        {6, 24, 2, 2},
        {6, 32, 3, 2},
        {6, 64, 4, 2},
        {6, 96, 3, 1},
        {6, 160, 3, 2},
        {6, 320, 1, 1}
    };

    /** Number of stages (rows of {@link #SETTING}). */
    public static final int STAGES = SETTING.length;

    /** Number of inverted residual blocks ({@code features.1} to {@code features.17}). */
    public static final int BLOCKS = Arrays.stream(SETTING).mapToInt(r -> r[2]).sum();

    private static final int STEM_CHANNELS = 32;
    private static final int LAST_CHANNEL = 1280;
    private static final int ROUND_NEAREST = 8;

    private MobileNetV2() {}

    /**
     * @param stage 0 to {@link #STAGES} - 1
     * @return the expansion ratio t of the stage's blocks (1 for the first stage, else 6)
     */
    public static int expansion(int stage) {
        return SETTING[stage][0];
    }

    /**
     * @param stage 0 to {@link #STAGES} - 1
     * @return how many inverted residual blocks the stage has
     */
    public static int repeats(int stage) {
        return SETTING[stage][2];
    }

    /**
     * @return a builder with torchvision's defaults (width 1.0, 1000 classes, stride-2 stem)
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * torchvision's {@code _make_divisible(v, 8)}: the nearest multiple of 8, at least 8, and not
     * more than 10 % below {@code v}.
     *
     * @param v the scaled channel count
     * @return the rounded channel count
     */
    public static int makeDivisible(double v) {
        int rounded =
                Math.max(
                        ROUND_NEAREST,
                        (int) (v + ROUND_NEAREST / 2.0) / ROUND_NEAREST * ROUND_NEAREST);
        return rounded < 0.9 * v ? rounded + ROUND_NEAREST : rounded;
    }

    /**
     * Maps torchvision state-dict keys ({@code features.0.0.weight}, {@code
     * features.0.1.running_mean}, {@code features.2.conv.0.0.weight}, {@code
     * features.2.conv.2.weight}, {@code features.2.conv.3.bias}, {@code features.18.0.weight},
     * {@code classifier.1.weight}, ...) to the parameters of a float MobileNetV2 built by a {@link
     * Builder}.
     *
     * @param net a float MobileNetV2 from {@link Builder#build()}
     * @return the parameters in torchvision's state-dict order (no {@code num_batches_tracked})
     * @throws IllegalArgumentException if the block is not laid out as {@link Builder} builds it
     */
    public static Map<String, Parameter> torchvisionParameters(Block net) {
        return MobileNetV2Names.parameters(net);
    }

    /** Builder for torchvision MobileNetV2s, with DJL-style setters. */
    public static final class Builder implements TorchvisionLayout {
        private float widthMultiplier = 1f;
        private int[] channels;
        private int numClasses = 1000;
        private int stemStride = 2;

        Builder() {}

        /**
         * Scales every width as torchvision's {@code mobilenet_v2(width_mult=...)} does: stem and
         * stage channels {@code makeDivisible(c * width)}, last channel {@code makeDivisible(1280 *
         * max(1, width))}. Replaces channels set by {@link #optChannels}.
         *
         * @param width the width multiplier, > 0 (e.g. 0.35, 0.5, 0.75, 1.0, 1.4)
         * @return this builder
         */
        public Builder optWidthMultiplier(float width) {
            if (!(width > 0) || width > 16) {
                throw new IllegalArgumentException(
                        "width multiplier must be in (0, 16], got " + width);
            }
            widthMultiplier = width;
            channels = null;
            return this;
        }

        /**
         * Sets the channel counts directly (what the importer reads from a state dict).
         *
         * @param stem output channels of {@code features.0}
         * @param stages output channels of each of the 7 stages
         * @param last output channels of {@code features.18}
         * @return this builder
         */
        public Builder optChannels(int stem, int[] stages, int last) {
            if (stages == null || stages.length != STAGES) {
                throw new IllegalArgumentException(
                        "need " + STAGES + " stage widths, got " + Arrays.toString(stages));
            }
            int[] c = new int[STAGES + 2];
            c[0] = stem;
            System.arraycopy(stages, 0, c, 1, STAGES);
            c[STAGES + 1] = last;
            for (int v : c) {
                if (v <= 0) {
                    throw new IllegalArgumentException(
                            "channels must be > 0, got " + Arrays.toString(c));
                }
            }
            channels = c;
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
         * Sets the stride of {@code features.0}: 2 as in torchvision (224x224 inputs), or 1 for
         * 32x32 inputs, which would otherwise be 1x1 from the fourth stage on. A state dict does
         * not record the stride.
         *
         * @param stride 1 or 2
         * @return this builder
         */
        public Builder optStemStride(int stride) {
            if (stride != 1 && stride != 2) {
                throw new IllegalArgumentException("stem stride must be 1 or 2, got " + stride);
            }
            stemStride = stride;
            return this;
        }

        /**
         * @return the width multiplier, or {@code NaN} if the channels were set with {@link
         *     #optChannels}
         */
        public float getWidthMultiplier() {
            return channels == null ? widthMultiplier : Float.NaN;
        }

        /**
         * @return output channels of {@code features.0}
         */
        public int getStemChannels() {
            return resolved()[0];
        }

        /**
         * @return output channels of each of the 7 stages (a copy)
         */
        public int[] getStageChannels() {
            return Arrays.copyOfRange(resolved(), 1, STAGES + 1);
        }

        /**
         * @return output channels of {@code features.18}, the input of the classifier
         */
        public int getLastChannel() {
            return resolved()[STAGES + 1];
        }

        /**
         * @return the output channels of every inverted residual block, {@code features.1..17}
         */
        public int[] getBlockChannels() {
            int[] out = new int[BLOCKS];
            int[] stages = getStageChannels();
            int i = 0;
            for (int s = 0; s < STAGES; s++) {
                for (int r = 0; r < SETTING[s][2]; r++) {
                    out[i++] = stages[s];
                }
            }
            return out;
        }

        /**
         * @return the stride of {@code features.0}
         */
        public int getStemStride() {
            return stemStride;
        }

        /** {@inheritDoc} */
        @Override
        public int getNumClasses() {
            return numClasses;
        }

        /** {@inheritDoc} */
        @Override
        public String firstConvolution() {
            return "features.0.0.weight";
        }

        /** {@inheritDoc} */
        @Override
        public int defaultImageSize() {
            return stemStride == 2 ? 224 : 32;
        }

        /** {@inheritDoc} */
        @Override
        public Map<String, Shape> torchvisionShapes(long inChannels) {
            return MobileNetV2Names.shapes(this, inChannels);
        }

        /** {@inheritDoc} */
        @Override
        public Map<String, Parameter> torchvisionParameters(Block net) {
            return MobileNetV2Names.parameters(net);
        }

        /**
         * @return a new, uninitialized float MobileNetV2
         */
        @Override
        public SequentialBlock build() {
            SequentialBlock net = new SequentialBlock();
            net.add(new QuantStub());
            int in = getStemChannels();
            net.add(conv(ConvBnRelu2d.builder().optRelu6(true), in, 3, stemStride, 1));
            int[] stages = getStageChannels();
            for (int s = 0; s < STAGES; s++) {
                for (int r = 0; r < SETTING[s][2]; r++) {
                    int stride = r == 0 ? SETTING[s][3] : 1;
                    net.add(invertedResidual(in, stages[s], stride, SETTING[s][0]));
                    in = stages[s];
                }
            }
            net.add(conv(ConvBnRelu2d.builder().optRelu6(true), getLastChannel(), 1, 1, 0));
            net.add(new GlobalAvgPool2d());
            net.add(PlainLinear.builder().setUnits(numClasses).build());
            net.add(new DequantStub());
            return net;
        }

        /** {@inheritDoc} */
        @Override
        public String toString() {
            return "MobileNetV2("
                    + (channels == null ? "width=" + widthMultiplier + ", " : "")
                    + "channels="
                    + getStemChannels()
                    + "/"
                    + Arrays.toString(getStageChannels())
                    + "/"
                    + getLastChannel()
                    + ", classes="
                    + numClasses
                    + ", stemStride="
                    + stemStride
                    + ")";
        }

        /** The channel counts: stem, 7 stages, last. */
        private int[] resolved() {
            if (channels != null) {
                return channels;
            }
            int[] c = new int[STAGES + 2];
            c[0] = makeDivisible(STEM_CHANNELS * widthMultiplier);
            for (int s = 0; s < STAGES; s++) {
                c[s + 1] = makeDivisible(SETTING[s][1] * widthMultiplier);
            }
            c[STAGES + 1] = makeDivisible(LAST_CHANNEL * Math.max(1f, widthMultiplier));
            return c;
        }

        /**
         * torchvision's InvertedResidual: hidden width {@code round(in * t)}, as its int(round()).
         */
        private static Block invertedResidual(int in, int out, int stride, int expansion) {
            int hidden = in * expansion;
            SequentialBlock main = new SequentialBlock();
            if (expansion != 1) {
                main.add(conv(ConvBnRelu2d.builder().optRelu6(true), hidden, 1, 1, 0));
            }
            main.add(
                    conv(
                            ConvBnRelu2d.builder().optRelu6(true).optGroups(hidden),
                            hidden,
                            3,
                            stride,
                            1));
            main.add(conv(ConvBn2d.builder(), out, 1, 1, 0));
            if (stride == 1 && in == out) {
                return new Residual(main, new Identity(), new ElementWise(ElementWise.Mode.ADD));
            }
            return main;
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
