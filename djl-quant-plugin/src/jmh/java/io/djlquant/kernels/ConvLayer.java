package io.djlquant.kernels;

/**
 * The convolutions of torchvision's ResNet18 at 224x224 (batch 1), by name, for the benchmarks.
 *
 * @param name short name used as JMH parameter
 * @param c input channels
 * @param h input height (= width)
 * @param oc output channels
 * @param kernel square kernel size
 * @param stride stride
 * @param pad padding
 */
record ConvLayer(String name, int c, int h, int oc, int kernel, int stride, int pad) {

    static final ConvLayer[] RESNET18_224 = {
        new ConvLayer("stem7x7s2", 3, 224, 64, 7, 2, 3),
        new ConvLayer("c64", 64, 56, 64, 3, 1, 1),
        new ConvLayer("c128s2", 64, 56, 128, 3, 2, 1),
        new ConvLayer("c128", 128, 28, 128, 3, 1, 1),
        new ConvLayer("ds128", 64, 56, 128, 1, 2, 0),
        new ConvLayer("c256s2", 128, 28, 256, 3, 2, 1),
        new ConvLayer("c256", 256, 14, 256, 3, 1, 1),
        new ConvLayer("ds256", 128, 28, 256, 1, 2, 0),
        new ConvLayer("c512s2", 256, 14, 512, 3, 2, 1),
        new ConvLayer("c512", 512, 7, 512, 3, 1, 1),
        new ConvLayer("ds512", 256, 14, 512, 1, 2, 0),
    };

    static ConvLayer byName(String name) {
        for (ConvLayer l : RESNET18_224) {
            if (l.name.equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown layer '" + name + "'");
    }

    ConvParams params() {
        return ConvParams.of(stride, pad, 1);
    }

    int outSize() {
        return params().outH(h, kernel);
    }

    /** Reduction length K = c * kernel^2. */
    int k() {
        return c * kernel * kernel;
    }

    /** Useful multiply-accumulates of one image. */
    long macs() {
        return (long) oc * k() * outSize() * outSize();
    }
}
