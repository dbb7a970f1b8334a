package io.djlquant.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.JsonUtils;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.djlquant.nn.FusedConv2d;
import io.djlquant.nn.Identity;
import io.djlquant.nn.Residual;
import io.djlquant.quantization.convert.BlockTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MobileNetV2Test {

    /**
     * torchvision's names and shapes of stock mobilenet_v2s, as make_mobilenet_fixture.py listed
     * them from torchvision 0.14 into the manifest.
     */
    private static List<JsonObject> torchvisionListings() throws IOException {
        try (InputStream is = MobileNetV2Test.class.getResourceAsStream("/fixtures/manifest.json");
                Reader r = new InputStreamReader(is, StandardCharsets.UTF_8)) {
            List<JsonObject> out = new ArrayList<>();
            for (JsonElement e :
                    JsonUtils.GSON
                            .fromJson(r, JsonObject.class)
                            .getAsJsonArray("mobilenet_v2_names")) {
                out.add(e.getAsJsonObject());
            }
            return out;
        }
    }

    private static Shape shape(String dims) {
        String[] parts = dims.split(",");
        long[] d = new long[parts.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Long.parseLong(parts[i]);
        }
        return new Shape(d);
    }

    @Test
    void namesAndShapesAreTorchvisions() throws IOException {
        List<JsonObject> listings = torchvisionListings();
        assertEquals(3, listings.size());
        for (JsonObject listing : listings) {
            float width = listing.get("width_mult").getAsFloat();
            int classes = listing.get("classes").getAsInt();
            Map<String, Shape> torchvision = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e :
                    listing.getAsJsonObject("parameters").entrySet()) {
                torchvision.put(e.getKey(), shape(e.getValue().getAsString()));
            }
            MobileNetV2.Builder b =
                    MobileNetV2.builder().optWidthMultiplier(width).optNumClasses(classes);
            // the layout's shapes, computed without allocating, in torchvision's order
            assertEquals(
                    new ArrayList<>(torchvision.entrySet()),
                    new ArrayList<>(b.torchvisionShapes(3).entrySet()),
                    "width " + width);
            // and the built network's parameters under those names
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                SequentialBlock net = b.build();
                net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
                Map<String, Shape> built = new LinkedHashMap<>();
                for (Map.Entry<String, Parameter> e :
                        MobileNetV2.torchvisionParameters(net).entrySet()) {
                    built.put(e.getKey(), e.getValue().getArray().getShape());
                }
                assertEquals(
                        new ArrayList<>(torchvision.entrySet()),
                        new ArrayList<>(built.entrySet()),
                        "width " + width);
                // every parameter of the network has a torchvision name
                assertEquals(net.getParameters().size(), built.size());
            }
        }
    }

    @Test
    void makeDivisibleRoundsAsTorchvision() {
        assertEquals(32, MobileNetV2.makeDivisible(32));
        assertEquals(8, MobileNetV2.makeDivisible(32 * 0.25));
        // 11.2 rounds to 8, more than 10 % below: one step up
        assertEquals(16, MobileNetV2.makeDivisible(32 * 0.35));
        assertEquals(8, MobileNetV2.makeDivisible(16 * 0.25));
        assertEquals(1792, MobileNetV2.makeDivisible(1280 * 1.4));
        MobileNetV2.Builder b = MobileNetV2.builder().optWidthMultiplier(0.25f);
        assertEquals(1280, b.getLastChannel());
        assertEquals(List.of(8, 8, 8, 16, 24, 40, 80), toList(b.getStageChannels()));
        assertEquals(MobileNetV2.BLOCKS, b.getBlockChannels().length);
    }

    @Test
    void stride1StemRuns32x32AndResidualsAreTorchvisions() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net =
                    MobileNetV2.builder()
                            .optWidthMultiplier(0.5f)
                            .optNumClasses(10)
                            .optStemStride(1)
                            .build();
            net.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32));
            NDArray y =
                    net.forward(
                                    new ParameterStore(m, false),
                                    new NDList(m.randomNormal(new Shape(2, 1, 32, 32))),
                                    false)
                            .head();
            assertEquals(new Shape(2, 10), y.getShape());
            // torchvision: a shortcut where stride 1 and width unchanged; width 0.5 keeps 16 -> 8
            // in features.1
            Map<String, Residual> residuals = BlockTree.find(net, Residual.class);
            assertEquals(10, residuals.size());
            for (Residual r : residuals.values()) {
                assertTrue(r.getShortcut() instanceof Identity);
            }
            long relu6 =
                    BlockTree.find(net, FusedConv2d.class).values().stream()
                            .filter(FusedConv2d::hasRelu6)
                            .count();
            // stem + 16 expansions + 17 depthwise + features.18
            assertEquals(1 + 16 + 17 + 1, relu6);
        }
        // width 0.25: features.1 maps 8 to 8 channels at stride 1, so torchvision adds its shortcut
        // too
        SequentialBlock narrow = MobileNetV2.builder().optWidthMultiplier(0.25f).build();
        assertTrue(narrow.getChildren().get(2).getValue() instanceof Residual);
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> MobileNetV2.builder().optStemStride(3));
        assertThrows(
                IllegalArgumentException.class, () -> MobileNetV2.builder().optWidthMultiplier(0));
        assertThrows(IllegalArgumentException.class, () -> MobileNetV2.builder().optNumClasses(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> MobileNetV2.builder().optChannels(8, new int[] {8, 8}, 1280));
        assertThrows(
                IllegalArgumentException.class,
                () -> MobileNetV2.torchvisionParameters(ResNet18.builder().build()));
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int v : a) {
            out.add(v);
        }
        return out;
    }
}
