package io.djlquant.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import io.djlquant.nn.ConvBn2d;
import io.djlquant.nn.ConvBnRelu2d;
import io.djlquant.nn.DequantStub;
import io.djlquant.nn.GlobalAvgPool2d;
import io.djlquant.nn.PlainLinear;
import io.djlquant.nn.QuantStub;
import io.djlquant.nn.Residual;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * torchvision's state-dict names for {@link MobileNetV2}: of a built network's parameters, and of a
 * layout's shapes before anything is allocated (the importer compares a file with the latter).
 *
 * <p>torchvision numbers the modules of {@code features.i.conv}: with expansion, {@code 0} and
 * {@code 1} are Conv-BN-ReLU6 sequences ({@code .0} conv, {@code .1} BN), {@code 2} the projecting
 * convolution and {@code 3} its BN; without expansion ({@code features.1}) everything moves down by
 * one.
 */
final class MobileNetV2Names {

    private static final String NETWORK = "a MobileNetV2 from MobileNetV2.builder()";

    private MobileNetV2Names() {}

    static Map<String, Parameter> parameters(Block net) {
        if (!(net instanceof SequentialBlock)) {
            throw new IllegalArgumentException(
                    "not "
                            + NETWORK
                            + ": expected SequentialBlock, got "
                            + net.getClass().getName());
        }
        List<Block> top = net.getChildren().values();
        Map<String, Parameter> out = new LinkedHashMap<>();
        int i = 0;
        expect(top, i++, QuantStub.class, "QuantStub");
        TorchvisionNames.putConvBn(
                out,
                expect(top, i++, ConvBnRelu2d.class, "features.0"),
                "features.0.0",
                "features.0.1");
        int feature = 1;
        while (i < top.size()
                && (top.get(i) instanceof Residual || top.get(i) instanceof SequentialBlock)) {
            Block b = top.get(i++);
            putInvertedResidual(
                    out,
                    b instanceof Residual ? ((Residual) b).getMain() : b,
                    "features." + feature++ + ".conv.");
        }
        if (feature == 1) {
            throw new IllegalArgumentException(
                    "not " + NETWORK + ": no inverted residual block after features.0");
        }
        TorchvisionNames.putConvBn(
                out,
                expect(top, i++, ConvBnRelu2d.class, "features." + feature),
                "features." + feature + ".0",
                "features." + feature + ".1");
        expect(top, i++, GlobalAvgPool2d.class, "GlobalAvgPool2d");
        PlainLinear fc = expect(top, i++, PlainLinear.class, "classifier PlainLinear");
        out.put("classifier.1.weight", fc.getWeight());
        out.put("classifier.1.bias", fc.getBias());
        expect(top, i++, DequantStub.class, "DequantStub");
        if (i != top.size()) {
            throw new IllegalArgumentException(
                    "not " + NETWORK + ": unexpected extra blocks after DequantStub");
        }
        return out;
    }

    private static void putInvertedResidual(Map<String, Parameter> out, Block main, String prefix) {
        List<Block> convs = main.getChildren().values();
        if (!(main instanceof SequentialBlock) || convs.size() < 2 || convs.size() > 3) {
            throw new IllegalArgumentException(
                    "not "
                            + NETWORK
                            + ": "
                            + prefix
                            + " must be SequentialBlock([ConvBnRelu2d,] ConvBnRelu2d, ConvBn2d)");
        }
        int last = convs.size() - 1;
        for (int j = 0; j < last; j++) {
            TorchvisionNames.putConvBn(
                    out,
                    expect(convs, j, ConvBnRelu2d.class, prefix + j),
                    prefix + j + ".0",
                    prefix + j + ".1");
        }
        TorchvisionNames.putConvBn(
                out,
                expect(convs, last, ConvBn2d.class, prefix + last),
                prefix + last,
                prefix + (last + 1));
    }

    static Map<String, Shape> shapes(MobileNetV2.Builder layout, long inChannels) {
        Map<String, Shape> out = new LinkedHashMap<>();
        long in = layout.getStemChannels();
        TorchvisionNames.putConvBnShapes(
                out, "features.0.0", "features.0.1", new Shape(in, inChannels, 3, 3));
        int[] blockChannels = layout.getBlockChannels();
        int feature = 1;
        for (int s = 0; s < MobileNetV2.STAGES; s++) {
            int expansion = MobileNetV2.SETTING[s][0];
            for (int r = 0; r < MobileNetV2.SETTING[s][2]; r++) {
                String p = "features." + feature + ".conv.";
                long hidden = in * expansion;
                long outC = blockChannels[feature - 1];
                int j = 0;
                if (expansion != 1) {
                    TorchvisionNames.putConvBnShapes(
                            out, p + j + ".0", p + j + ".1", new Shape(hidden, in, 1, 1));
                    j++;
                }
                TorchvisionNames.putConvBnShapes(
                        out, p + j + ".0", p + j + ".1", new Shape(hidden, 1, 3, 3));
                j++;
                TorchvisionNames.putConvBnShapes(
                        out, p + j, p + (j + 1), new Shape(outC, hidden, 1, 1));
                in = outC;
                feature++;
            }
        }
        long last = layout.getLastChannel();
        TorchvisionNames.putConvBnShapes(
                out,
                "features." + feature + ".0",
                "features." + feature + ".1",
                new Shape(last, in, 1, 1));
        out.put("classifier.1.weight", new Shape(layout.getNumClasses(), last));
        out.put("classifier.1.bias", new Shape(layout.getNumClasses()));
        return out;
    }

    private static <T extends Block> T expect(
            List<Block> blocks, int index, Class<T> type, String what) {
        return TorchvisionNames.expect(NETWORK, blocks, index, type, what);
    }
}
