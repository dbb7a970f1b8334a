package io.djlquant.imports;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.djlquant.models.MobileNetV2;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The MobileNetV2 specifics of {@link TorchvisionImport}: detecting the channel layout from the
 * state-dict shapes, and the stem stride of a TorchScript file, which no tensor records.
 */
final class MobileNetV2Import {

    /** The stem convolution's weight: its presence tells a MobileNetV2 from a ResNet. */
    static final String STEM = "features.0.0.weight";

    /** Side of the probe image: the smallest that a stride-2 stem still brings to 1x1. */
    private static final int PROBE_SIZE = 32;

    private MobileNetV2Import() {}

    /**
     * Detects a torchvision MobileNetV2 layout: stem channels from {@code features.0.0.weight},
     * each stage's channels from the projection of its first block, the last channel count from
     * {@code features.18.0.weight} and the classes from {@code classifier.1.weight}. All other
     * shapes (hidden widths, repeats) are checked later against the layout.
     *
     * @param shapes tensor shapes by state-dict name
     * @return the layout, with torchvision's stride-2 stem
     * @throws MalformedModelException if a tensor the layout is read from is missing or misshaped
     */
    static MobileNetV2.Builder detect(Map<String, Shape> shapes) throws MalformedModelException {
        TorchvisionImport.checkDimensions(shapes);
        Shape stem = TorchvisionImport.require(shapes, STEM, 4);
        if (stem.get(2) != 3 || stem.get(3) != 3) {
            throw new MalformedModelException(
                    STEM + " " + stem + ": expected torchvision's 3x3 MobileNetV2 stem");
        }
        int[] stages = new int[MobileNetV2.STAGES];
        int feature = 1;
        for (int s = 0; s < stages.length; s++) {
            // the projection is conv.1 without expansion (features.1), conv.2 with it
            String projection =
                    "features."
                            + feature
                            + ".conv."
                            + (MobileNetV2.expansion(s) == 1 ? 1 : 2)
                            + ".weight";
            stages[s] = (int) TorchvisionImport.require(shapes, projection, 4).get(0);
            feature += MobileNetV2.repeats(s);
        }
        int last =
                (int)
                        TorchvisionImport.require(shapes, "features." + feature + ".0.weight", 4)
                                .get(0);
        int classes = (int) TorchvisionImport.require(shapes, "classifier.1.weight", 2).get(0);
        return MobileNetV2.builder()
                .optChannels((int) stem.get(0), stages, last)
                .optNumClasses(classes);
    }

    /**
     * Builds the network with a stride-2 stem (torchvision's), then a stride-1 one, and keeps the
     * first whose output on a fixed probe image agrees with libtorch running the TorchScript file.
     * This also checks that the file computes a MobileNetV2 at all: a file whose code differs from
     * its tensors' names is refused.
     *
     * @param pt the TorchScript file, already read and checked
     * @param state its tensors (float32, shapes already checked by {@link #detect})
     * @param layout the detected layout; its stem stride is set to the matching one
     * @return the network and its layout
     * @throws MalformedModelException if neither stride reproduces libtorch
     */
    static TorchvisionImport.Imported matchStemStride(
            Path pt, Map<String, NDArray> state, MobileNetV2.Builder layout)
            throws IOException, MalformedModelException {
        NDArray stem = state.get(STEM);
        NDManager manager = stem.getManager();
        long in = stem.getShape().get(1);
        float[] pixels = new float[(int) (in * PROBE_SIZE * PROBE_SIZE)];
        for (int i = 0; i < pixels.length; i++) {
            // smooth and varied, within the range of normalised images
            pixels[i] = (float) (1.5 * Math.sin(0.37 * i) * Math.cos(0.011 * i));
        }
        Shape probeShape = new Shape(1, in, PROBE_SIZE, PROBE_SIZE);
        float[] expected;
        try (NDManager scope = manager.newSubManager();
                Model model = Model.newInstance("torchscript-probe", "PyTorch")) {
            model.load(pt);
            expected = forward(model.getBlock(), scope, scope.create(pixels, probeShape));
        } catch (EngineException e) {
            throw new MalformedModelException(
                    "libtorch cannot run the TorchScript on a "
                            + probeShape
                            + " input: "
                            + e.getMessage(),
                    e);
        }
        float scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        StringBuilder diffs = new StringBuilder();
        for (int stride : new int[] {2, 1}) {
            layout.optStemStride(stride);
            SequentialBlock net = TorchvisionImport.build(state, layout);
            float diff;
            try (NDManager scope = manager.newSubManager()) {
                float[] ours = forward(net, scope, scope.create(pixels, probeShape));
                diff = maxDiff(ours, expected);
            }
            // float32 rounding differs by ~1e-5 here; the wrong stride by the logits' own scale
            if (diff <= 1e-3f * (1 + scale)) {
                return new TorchvisionImport.Imported(net, layout);
            }
            net.getParameters().forEach(p -> p.getValue().close());
            diffs.append(diffs.length() == 0 ? "" : ", ")
                    .append("stem stride ")
                    .append(stride)
                    .append(": ")
                    .append(diff);
        }
        throw new MalformedModelException(
                "the TorchScript does not compute torchvision's MobileNetV2 for its tensors"
                        + " (max |logit diff| on a probe image, "
                        + diffs
                        + ")");
    }

    private static float[] forward(Block block, NDManager scope, NDArray x) {
        NDArray y = block.forward(new ParameterStore(scope, false), new NDList(x), false).head();
        return y.toFloatArray();
    }

    private static float maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Float.POSITIVE_INFINITY;
        }
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return Float.isNaN(d) ? Float.POSITIVE_INFINITY : d;
    }
}
