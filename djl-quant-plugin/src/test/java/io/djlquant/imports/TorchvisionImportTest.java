package io.djlquant.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.djlquant.models.ResNet18;
import io.djlquant.models.ResNet34;
import io.djlquant.models.ResNets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchvisionImportTest {

    /** The PyTorch outputs must be reproduced to this bound (float32 through ~20 layers). */
    private static final float TOLERANCE = 1e-4f;

    private static NDArray run(Block net, NDManager m, NDArray x) {
        return net.forward(new ParameterStore(m, false), new NDList(x), false).head();
    }

    private static float maxDiff(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape());
        return a.sub(b).abs().max().getFloat();
    }

    private static int[] ints(JsonElement array) {
        JsonArray a = array.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    /** The detected layout must be the one the generator used (from the manifest). */
    private static void assertLayout(JsonObject spec, SequentialBlock net)
            throws MalformedModelException {
        ResNets.Builder detected =
                TorchvisionImport.detect(shapes(ResNets.torchvisionParameters(net)));
        assertArrayEquals(ints(spec.get("blocks")), detected.getBlocks());
        assertArrayEquals(ints(spec.get("widths")), detected.getWidths());
        assertEquals(spec.get("classes").getAsInt(), detected.getNumClasses());
        assertEquals(spec.get("stem").getAsString(), detected.getStem().name());
        assertEquals(spec.get("in_channels").getAsInt(), net.getInputShapes()[0].get(1));
    }

    private static Map<String, Shape> shapes(Map<String, Parameter> params) {
        Map<String, Shape> out = new LinkedHashMap<>();
        params.forEach((k, p) -> out.put(k, p.getArray().getShape()));
        return out;
    }

    /** Runs every manifest case through {@code net}; returns the largest difference seen. */
    private static float checkCases(JsonObject spec, Block net, NDManager m) throws IOException {
        float worst = 0;
        for (JsonElement c : spec.getAsJsonArray("cases")) {
            JsonObject o = c.getAsJsonObject();
            NDArray x = Fixtures.npy(m, o.get("input").getAsString());
            if (o.has("repeat")) {
                x = Fixtures.repeatPixels(m, x, o.get("repeat").getAsInt());
            }
            NDArray expected = Fixtures.npy(m, o.get("output").getAsString());
            float d = maxDiff(run(net, m, x), expected);
            System.out.printf(
                    "import %s input %s: max |ours - PyTorch| = %.3g (logit range %.3g)%n",
                    o.get("output").getAsString(),
                    x.getShape(),
                    d,
                    expected.max().getFloat() - expected.min().getFloat());
            assertTrue(d < TOLERANCE, o.get("output") + ": max abs diff " + d);
            worst = Math.max(worst, d);
        }
        return worst;
    }

    @Test
    void torchScriptResNet18ReproducesPyTorch() throws Exception {
        JsonObject spec = Fixtures.manifest(Fixtures.RESNET18);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net =
                    TorchvisionImport.loadTorchScript(Fixtures.file(Fixtures.RESNET18), m);
            assertLayout(spec, net);
            assertEquals(new Shape(1, 3, 224, 224), net.getInputShapes()[0]);
            checkCases(spec, net, m);
            // also agree with libtorch running the same TorchScript through DJL
            try (Model model = Model.newInstance("ref", "PyTorch")) {
                model.load(Fixtures.file(Fixtures.RESNET18));
                NDArray x = Fixtures.npy(m, "resnet18_w8_x.npy");
                NDArray ref = run(model.getBlock(), m, x);
                assertTrue(maxDiff(run(net, m, x), ref) < TOLERANCE);
            }
        }
    }

    @Test
    void batchNormBuffersMatterAndAreImported() throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> state =
                    TorchvisionImport.readTorchScript(Fixtures.file(Fixtures.RESNET18), m);
            // the fixture's running stats are far from the defaults (0 mean, 1 variance) ...
            NDArray var = state.get("layer3.1.bn2.running_var");
            NDArray mean = state.get("layer3.1.bn2.running_mean");
            assertTrue(var.sub(1).abs().max().getFloat() > 0.1f);
            assertTrue(mean.abs().max().getFloat() > 0.01f);
            assertTrue(!state.containsKey("bn1.num_batches_tracked"));
            // ... so an import that dropped them would miss the PyTorch output by far
            SequentialBlock net = TorchvisionImport.build(state, null);
            Map<String, Parameter> p = ResNets.torchvisionParameters(net);
            for (Map.Entry<String, Parameter> e : p.entrySet()) {
                if (e.getKey().endsWith("running_mean")) {
                    e.getValue().getArray().set(new float[(int) e.getValue().getArray().size()]);
                }
            }
            NDArray x = Fixtures.npy(m, "resnet18_w8_x.npy");
            float d = maxDiff(run(net, m, x), Fixtures.npy(m, "resnet18_w8_y.npy"));
            assertTrue(
                    d > 100 * TOLERANCE,
                    "zeroed running means should change the output, diff " + d);
        }
    }

    @Test
    void archiveAgreesWithLibtorchParameters() throws Exception {
        Path pt = Fixtures.file(Fixtures.RESNET18);
        Map<String, TorchTensor> archive = TorchArchive.read(pt);
        // 20 convs + 20 BNs x 5 tensors (incl. num_batches_tracked) + fc weight and bias
        assertEquals(20 + 20 * 5 + 2, archive.size());
        assertEquals("LONG", archive.get("bn1.num_batches_tracked").getElementType());
        try (NDManager m = NDManager.newBaseManager("PyTorch");
                Model model = Model.newInstance("ref", "PyTorch")) {
            model.load(pt);
            int n = 0;
            for (Pair<String, Parameter> p : model.getBlock().getDirectParameters()) {
                TorchTensor t = archive.get(p.getKey());
                assertArrayEquals(
                        p.getValue().getArray().toFloatArray(), t.toFloats(), 0f, p.getKey());
                n++;
            }
            assertEquals(20 + 20 * 2 + 2, n, "libtorch lists parameters only, not buffers");
        }
    }

    @Test
    void stateDictResNet34SmallStemOneChannel() throws Exception {
        JsonObject spec = Fixtures.manifest(Fixtures.RESNET34);
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            SequentialBlock net =
                    TorchvisionImport.loadStateDict(Fixtures.file(Fixtures.RESNET34), m);
            assertLayout(spec, net);
            checkCases(spec, net, m);
            // an explicit, matching spec works as well
            SequentialBlock again =
                    TorchvisionImport.loadStateDict(
                            Fixtures.file(Fixtures.RESNET34),
                            ResNet34.builder()
                                    .optWidths(4, 8, 16, 32)
                                    .optNumClasses(10)
                                    .optStem(ResNet18.Stem.SMALL),
                            m);
            checkCases(spec, again, m);
        }
    }

    @Test
    void pickledModuleWithStridedTensorAndHalfStateDict() throws Exception {
        for (String name : new String[] {"tiny_module.pth", "tiny_half.pth"}) {
            JsonObject spec = Fixtures.manifest(name);
            Map<String, TorchTensor> archive = TorchArchive.read(Fixtures.file(name));
            assertEquals(
                    name.contains("half") ? "HALF" : "FLOAT",
                    archive.get("fc.weight").getElementType());
            assertTrue(!TorchArchive.isTorchScript(Fixtures.file(name)));
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                SequentialBlock net = TorchvisionImport.loadStateDict(Fixtures.file(name), m);
                assertLayout(spec, net);
                checkCases(spec, net, m);
            }
        }
        assertTrue(TorchArchive.isTorchScript(Fixtures.file(Fixtures.RESNET18)));
    }

    @Test
    void mismatchesAreListed() throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Path pt = Fixtures.file(Fixtures.RESNET18);
            MalformedModelException wide =
                    assertThrows(
                            MalformedModelException.class,
                            () ->
                                    TorchvisionImport.loadTorchScript(
                                            pt, ResNet18.builder().optNumClasses(10), m));
            assertTrue(
                    wide.getMessage()
                            .contains("conv1.weight: file (8, 3, 7, 7), network (64, 3, 7, 7)"),
                    wide.getMessage());
            MalformedModelException deep =
                    assertThrows(
                            MalformedModelException.class,
                            () ->
                                    TorchvisionImport.loadTorchScript(
                                            pt,
                                            ResNet34.builder()
                                                    .optWidths(8, 16, 32, 64)
                                                    .optNumClasses(10),
                                            m));
            assertTrue(
                    deep.getMessage().contains("missing keys: layer1.2.conv1.weight"),
                    deep.getMessage());
            assertTrue(!deep.getMessage().contains("unexpected"), deep.getMessage());

            Map<String, NDArray> state = TorchvisionImport.readTorchScript(pt, m);
            state.put("head.weight", m.zeros(new Shape(2)));
            state.remove("fc.bias");
            MalformedModelException both =
                    assertThrows(
                            MalformedModelException.class,
                            () -> TorchvisionImport.build(state, null));
            assertTrue(both.getMessage().contains("1 missing keys: fc.bias"), both.getMessage());
            assertTrue(
                    both.getMessage().contains("1 unexpected keys: head.weight"),
                    both.getMessage());
        }
    }

    @Test
    void detectRejectsOtherArchitectures() {
        Map<String, Shape> s = new LinkedHashMap<>();
        MalformedModelException none =
                assertThrows(MalformedModelException.class, () -> TorchvisionImport.detect(s));
        assertTrue(none.getMessage().contains("conv1.weight"), none.getMessage());
        s.put("conv1.weight", new Shape(64, 3, 7, 7));
        s.put("layer1.0.conv1.weight", new Shape(64, 64, 1, 1));
        s.put("layer1.0.conv3.weight", new Shape(256, 64, 1, 1));
        MalformedModelException bottleneck =
                assertThrows(MalformedModelException.class, () -> TorchvisionImport.detect(s));
        assertTrue(bottleneck.getMessage().contains("Bottleneck"), bottleneck.getMessage());
        s.remove("layer1.0.conv3.weight");
        s.put("conv1.weight", new Shape(64, 3, 5, 5));
        assertThrows(MalformedModelException.class, () -> TorchvisionImport.detect(s));
    }

    @Test
    void nonArchivesAreRejected(@TempDir Path tmp) throws IOException {
        Path junk = tmp.resolve("legacy.pth");
        Files.write(junk, new byte[] {(byte) 0x80, 2, 'K', 1, '.'});
        MalformedModelException e =
                assertThrows(MalformedModelException.class, () -> TorchArchive.read(junk));
        assertTrue(e.getMessage().contains("not a zip-format PyTorch archive"), e.getMessage());
    }
}
