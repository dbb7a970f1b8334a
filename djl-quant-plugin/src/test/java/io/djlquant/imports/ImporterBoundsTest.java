package io.djlquant.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.djlquant.imports.MaliciousFiles.Pickle;
import io.djlquant.models.ResNet18;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per bound of the PyTorch importer (issue 15). Every hostile file is built here, small
 * and deterministic, and must be rejected with a MalformedModelException naming the problem, within
 * a watchdog time (no hang) and without any other exception.
 */
class ImporterBoundsTest {

    private static final Duration WATCHDOG = Duration.ofSeconds(20);
    private static final String INPUTS = "/io/djlquant/imports/ImporterFuzzTestInputs/";

    @TempDir Path tmp;

    /**
     * Reads {@code file} as an archive; it must be rejected with a message holding {@code what}.
     */
    private String rejected(byte[] file, String what) throws IOException {
        Path f = Files.createTempFile(tmp, "hostile", ".pth");
        Files.write(f, file);
        MalformedModelException e =
                assertTimeoutPreemptively(
                        WATCHDOG,
                        () ->
                                assertThrows(
                                        MalformedModelException.class, () -> TorchArchive.read(f)));
        assertTrue(e.getMessage().contains(what), "expected '" + what + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    /** {'w': the given tensor} as a complete pickle. */
    private static byte[] dictOf(Pickle tensor) {
        return tensor.stop();
    }

    private static Pickle dictWith(String key) {
        return new Pickle().op('}').str(key);
    }

    @Test
    void aValidHandBuiltArchiveReads() throws Exception {
        // the builders make valid files, so every rejection below is caused by its one fault
        Path f = tmp.resolve("ok.pth");
        Files.write(f, MaliciousFiles.archive(dictWith("w").vector("0", 4).op('s').stop(), 4));
        Map<String, TorchTensor> t = TorchArchive.read(f);
        assertEquals(List.of("w"), List.copyOf(t.keySet()));
        assertEquals(3f, t.get("w").toFloats()[3]);
    }

    // ---- zip -----------------------------------------------------------------------------------

    @Test
    void zipBombDeclaringFarMoreThanTheFileIsRejected() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", dictWith("w").vector("0", 4).op('s').stop());
        entries.put("archive/data/0", MaliciousFiles.floats(4));
        entries.put("archive/padding", new byte[16 << 20]); // 16 MiB of zeros deflate to ~16 KB
        byte[] zip = MaliciousFiles.zip(entries, true);
        assertTrue(zip.length < 64 << 10, "the bomb is small: " + zip.length);
        rejected(zip, "uncompressed bytes, over 8x the file size (a zip bomb?)");
    }

    @Test
    void entryInflatingBeyondItsDeclaredSizeIsRejected() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", dictWith("w").vector("0", 4).op('s').stop());
        entries.put("archive/data/0", new byte[256 << 10]);
        byte[] zip = MaliciousFiles.zip(entries, true);
        rejected(
                MaliciousFiles.withDeclaredSize(zip, "archive/data/0", 16),
                "'archive/data/0' holds more than the 16 bytes it declares");
        rejected(
                MaliciousFiles.withDeclaredSize(zip, "archive/data/0", (256 << 10) + 100),
                "fewer than the " + ((256 << 10) + 100) + " it declares");
    }

    @Test
    void unsafeEntryNamesAreRejected() throws Exception {
        for (String name :
                new String[] {
                    "../evil.sh",
                    "archive/../../etc/passwd",
                    "/etc/cron.d/x",
                    "C:/Windows/x.dll",
                    "archive\\data\\1",
                    "archive/a\u0000b"
                }) {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            entries.put("archive/data.pkl", dictWith("w").vector("0", 4).op('s').stop());
            entries.put("archive/data/0", MaliciousFiles.floats(4));
            entries.put(name, new byte[1]);
            rejected(MaliciousFiles.zip(entries, false), "unsafe zip entry name");
        }
    }

    @Test
    void duplicateEntriesAreRejected() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", dictWith("w").vector("0", 4).op('s').stop());
        entries.put("archive/data/0", MaliciousFiles.floats(4));
        entries.put("archive/data.pkX", new Pickle().op('N').stop()); // a second, different pickle
        byte[] zip =
                MaliciousFiles.renamed(
                        MaliciousFiles.zip(entries, false), "archive/data.pkX", "archive/data.pkl");
        rejected(zip, "duplicate zip entry 'archive/data.pkl'");
    }

    @Test
    void truncatedAndForeignFilesAreRejected() throws Exception {
        byte[] ok = MaliciousFiles.archive(dictWith("w").vector("0", 4).op('s').stop(), 4);
        rejected(Arrays.copyOf(ok, ok.length / 2), "not a zip-format PyTorch archive");
        rejected(new byte[] {(byte) 0x80, 2, 'K', 1, '.'}, "legacy pickle-only format");
        rejected(
                MaliciousFiles.zip(Map.of("model/weights.bin", new byte[8]), false),
                "expected one <folder>/data.pkl, found 0");
    }

    // ---- pickle opcodes and names ---------------------------------------------------------------

    @Test
    void globalsOutsideTheDataSubsetAreRefused() throws Exception {
        byte[] system = new Pickle().global("os", "system").tuple(() -> {}).op('R').stop();
        rejected(MaliciousFiles.archive(system, 1), "references 'os.system'");
        byte[] eval = new Pickle().str("builtins").str("eval").op(0x93).stop(); // STACK_GLOBAL
        rejected(MaliciousFiles.archive(eval, 1), "references 'builtins.eval'");
        byte[] getattr = new Pickle().global("torch._utils", "_rebuild_from_type_v2").stop();
        rejected(
                MaliciousFiles.archive(getattr, 1),
                "references 'torch._utils._rebuild_from_type_v2'");
    }

    @Test
    void reduceOfAnythingButRebuildAndHarmlessConstructorsIsRefused() throws Exception {
        byte[] moduleCall =
                new Pickle()
                        .global("torch.nn.modules.conv", "Conv2d")
                        .tuple(() -> {})
                        .op('R')
                        .stop();
        rejected(
                MaliciousFiles.archive(moduleCall, 1),
                "calls torch.nn.modules.conv.Conv2d with 0 arguments; refused");
        Pickle od = new Pickle().global("collections", "OrderedDict");
        byte[] odWithArgs = od.op('(').str("x").op('t', 'R').stop();
        rejected(
                MaliciousFiles.archive(odWithArgs, 1),
                "calls collections.OrderedDict with 1 arguments");
        byte[] newOrderedDict =
                new Pickle().global("collections", "OrderedDict").op(')', 0x81).stop();
        rejected(MaliciousFiles.archive(newOrderedDict, 1), "which is not a module class; refused");
    }

    @Test
    void buildOnAnythingButAFreshModuleOrOrderedDictIsRefused() throws Exception {
        byte[] onList = new Pickle().op(']', '}', 'b').stop();
        rejected(MaliciousFiles.archive(onList, 1), "BUILDs an object");
        Pickle module = new Pickle().global("torch.nn.modules.linear", "Linear").op(')', 0x81);
        byte[] twice = module.op('}', 'b', '}', 'b').stop(); // state replaced after the fact
        rejected(MaliciousFiles.archive(twice, 1), "BUILDs an object");
    }

    @Test
    void objectBuildingOpcodesAreRefused() throws Exception {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("INST", new Pickle().op('(').op('i').op("os\nsystem\n".chars().toArray()).stop());
        cases.put(
                "OBJ",
                new Pickle().op('(').global("torch.nn.modules.linear", "Linear").op('o').stop());
        cases.put("EXT1", new Pickle().op(0x82, 1).stop());
        cases.put("EXT2", new Pickle().op(0x83, 1, 0).stop());
        cases.put("EXT4", new Pickle().op(0x84, 1, 0, 0, 0).stop());
        cases.put(
                "NEWOBJ_EX",
                new Pickle().global("torch.nn.modules.linear", "Linear").op(')', '}', 0x92).stop());
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            rejected(
                    MaliciousFiles.archive(c.getValue(), 1),
                    "pickle opcode " + c.getKey() + " at offset");
        }
    }

    // ---- nesting and memo ----------------------------------------------------------------------

    @Test
    void deepNestingIsRefusedWithoutRecursingIntoTheStack() throws Exception {
        for (int depth : new int[] {TorchArchive.MAX_DEPTH + 1, 200_000}) {
            Pickle p = new Pickle();
            for (int i = 0; i < depth; i++) {
                p.op('}').str("a");
            }
            p.vector("0", 1);
            for (int i = 0; i < depth; i++) {
                p.op('s');
            }
            rejected(MaliciousFiles.archive(p.stop(), 1), "nests dicts/modules deeper than 64");
        }
    }

    @Test
    void cyclesAreRefused() throws Exception {
        // d = {}; d['self'] = d, via the memo
        byte[] cycle = new Pickle().op('}', 'q', 0).str("self").op('h', 0, 's').stop();
        rejected(MaliciousFiles.archive(cycle, 1), "holds a cycle");
        // a list holding itself as a dict key would hash forever
        byte[] key = new Pickle().op('}', ']', 'q', 0, 'h', 0, 'a').str("v").op('s').stop();
        rejected(MaliciousFiles.archive(key, 1), "unhashable dict key");
    }

    @Test
    void memoSharingCannotMakeTheNamingExponential() throws Exception {
        // d0 = {'t': tensor}; d(i+1) = {'a': di, 'b': di}: 2^40 paths through 40 small dicts
        Pickle p = new Pickle().op('}').str("t").vector("0", 1).op('s', 'r').int4(0);
        for (int i = 1; i <= 40; i++) {
            p.op('}').str("a").op('j').int4(i - 1).op('s').str("b").op('j').int4(i - 1).op('s');
            p.op('r').int4(i);
        }
        rejected(MaliciousFiles.archive(p.stop(), 1), "reaches the same dict/module twice");
        byte[] undefined = new Pickle().op('j').int4(123456).stop();
        rejected(MaliciousFiles.archive(undefined, 1), "memo key 123456 undefined");
    }

    @Test
    void memoReferencesCannotMultiplyTensorsOrNames() throws Exception {
        // one 4 KB tensor named 400 times would be copied 400 times (1.6 MB from a 10 KB file)
        Pickle named = new Pickle().op('}').vector("0", 1024).op('r').int4(0, '0', '(');
        for (int i = 0; i < 400; i++) {
            named.str("w" + i).op('j').int4(0);
        }
        rejected(
                MaliciousFiles.archive(named.op('u').stop(), 1024),
                "the tensors decode to more than 8x the file size");

        // a 100-character key reused 20 levels deep through the memo: a 2,000-character name
        Pickle deep = new Pickle().str("k".repeat(100)).op('r').int4(0).op('0');
        for (int i = 0; i < 20; i++) {
            deep.op('}').op('j').int4(0);
        }
        deep.vector("0", 1);
        for (int i = 0; i < 20; i++) {
            deep.op('s');
        }
        rejected(MaliciousFiles.archive(deep.stop(), 1), "tensor name longer than 1024");

        // the rebuild function and its arguments from the memo: 12 bytes per tensor object
        Pickle flood = new Pickle().global("torch._utils", "_rebuild_tensor_v2").op('r').int4(0);
        flood.op('0', '(').storage("0", 1).lng(0).longs(1).longs(1).op(0x89, 't', 'r').int4(1);
        flood.op('0');
        for (int i = 0; i < 10_000; i++) {
            flood.op('j').int4(0).op('j').int4(1).op('R', '0');
        }
        rejected(
                MaliciousFiles.archive(flood.op('}').stop(), 1),
                "rebuilds more tensors than its size allows");
    }

    // ---- tensors -------------------------------------------------------------------------------

    private String rejectedTensor(
            long numel, long offset, long[] size, long[] stride, int floats, String what)
            throws IOException {
        byte[] p = dictWith("w").tensor("0", numel, offset, size, stride).op('s').stop();
        return rejected(MaliciousFiles.archive(p, floats), what);
    }

    @Test
    void viewsOutsideTheirStorageAreRejected() throws Exception {
        long[] one = {1};
        rejectedTensor(4, 10, new long[] {1}, one, 4, "exceeds its storage of 4 elements");
        rejectedTensor(4, 0, new long[] {2, 2}, new long[] {1, 100}, 4, "exceeds its storage");
        rejectedTensor(4, -1, new long[] {1}, one, 4, "exceeds its storage");
        rejectedTensor(4, 0, new long[] {2}, new long[] {-1}, 4, "negative size or stride");
        rejectedTensor(4, 0, new long[] {2, 2}, one, 4, "shape and stride differ in rank");
        rejectedTensor(
                1000, 0, new long[] {4}, one, 4, "declares 1000 FLOAT elements but holds 16 bytes");
        byte[] escape = dictWith("w").tensor("../../etc/passwd", 1, 0, one, one).op('s').stop();
        rejected(
                MaliciousFiles.archive(escape, 1),
                "storage key '../../etc/passwd' is not a plain name");
    }

    @Test
    void elementCountsOverflowingIntOrLongAreRejected() throws Exception {
        long[] zero = {0};
        rejectedTensor(1, 0, new long[] {1L << 31}, zero, 1, "more than 2147483639 elements");
        rejectedTensor(
                1,
                0,
                new long[] {1L << 40, 1L << 40},
                new long[] {0, 0},
                1,
                "more than 2147483639 elements");
        // (size - 1) * stride and offset + extent wrap around a long without exact arithmetic
        rejectedTensor(
                4,
                0,
                new long[] {3},
                new long[] {Long.MAX_VALUE / 2 + 1},
                4,
                "element count or extent overflows a long");
        rejectedTensor(
                4,
                1,
                new long[] {2},
                new long[] {Long.MAX_VALUE},
                4,
                "element count or extent overflows a long");
        rejectedTensor(4, 0, new long[65], new long[65], 4, "more than 64 dimensions");
    }

    @Test
    void viewsSharingOneStorageCannotDecodeBeyondTheAllowance() throws Exception {
        // a million-element stride-0 view of a one-element storage: 4 MB from a 1 KB file
        Pickle p = new Pickle().op('}');
        for (int i = 0; i < 8; i++) {
            p.str("w" + i).tensor("0", 1, 0, new long[] {1 << 20}, new long[] {0}).op('s');
        }
        rejected(
                MaliciousFiles.archive(p.stop(), 1),
                "the tensors decode to more than 8x the file size");
    }

    // ---- architecture --------------------------------------------------------------------------

    @Test
    void shapesThatDoNotMatchTheArchitectureAreRejected() throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Path file = Fixtures.file("tiny_module.pth");
            Map<String, NDArray> state = TorchvisionImport.readStateDict(file, m);

            Map<String, NDArray> wrongWidth = new LinkedHashMap<>(state);
            wrongWidth.put("layer2.0.conv2.weight", m.zeros(new Shape(2, 3, 3, 3)));
            MalformedModelException w =
                    assertThrows(
                            MalformedModelException.class,
                            () -> TorchvisionImport.build(wrongWidth, null));
            assertTrue(
                    w.getMessage()
                            .contains(
                                    "layer2.0.conv2.weight: file (2, 3, 3, 3), network (2, 2, 3,"
                                            + " 3)"),
                    w.getMessage());

            // an empty tensor claims a width of 2^30 without holding data: refused before
            // allocating
            Map<String, NDArray> huge = new LinkedHashMap<>(state);
            huge.put("layer1.0.conv1.weight", m.zeros(new Shape(1 << 30, 0, 3, 3)));
            MalformedModelException h =
                    assertThrows(
                            MalformedModelException.class,
                            () -> TorchvisionImport.build(huge, null));
            assertTrue(h.getMessage().contains("has shape (1073741824, 0, 3, 3)"), h.getMessage());

            Map<String, NDArray> missing = new LinkedHashMap<>(state);
            missing.remove("layer3.0.downsample.1.running_var");
            MalformedModelException g =
                    assertThrows(
                            MalformedModelException.class,
                            () -> TorchvisionImport.build(missing, null));
            assertTrue(
                    g.getMessage().contains("1 missing keys: layer3.0.downsample.1.running_var"),
                    g.getMessage());

            MalformedModelException spec =
                    assertThrows(
                            MalformedModelException.class,
                            () ->
                                    TorchvisionImport.loadStateDict(
                                            file, ResNet18.builder().optNumClasses(3), m));
            assertTrue(spec.getMessage().startsWith(file.toString()), spec.getMessage());
            assertTrue(
                    spec.getMessage().contains("missing keys: layer1.1.conv1.weight"),
                    spec.getMessage());
        }
    }

    @Test
    void torchvisionShapesAgreeWithTheBuiltNetwork() throws Exception {
        // the pre-allocation check computes the shapes itself; they must be the network's
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (String name : new String[] {Fixtures.RESNET34, "tiny_module.pth"}) {
                Map<String, NDArray> state =
                        TorchvisionImport.readStateDict(Fixtures.file(name), m);
                var net = TorchvisionImport.build(state, null);
                var layout = TorchvisionImport.detect(shapesOf(state));
                Map<String, Shape> network = new LinkedHashMap<>();
                io.djlquant.models.ResNets.torchvisionParameters(net)
                        .forEach((k, p) -> network.put(k, p.getArray().getShape()));
                long in = state.get("conv1.weight").getShape().get(1);
                assertEquals(network, TorchvisionImport.torchvisionShapes(layout, in), name);
            }
        }
    }

    private static Map<String, Shape> shapesOf(Map<String, NDArray> state) {
        Map<String, Shape> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.getShape()));
        return out;
    }

    // ---- the fuzz seeds are valid ------------------------------------------------------------

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = ImporterBoundsTest.class.getResourceAsStream(INPUTS + path)) {
            assertNotNull(in, path);
            return in.readAllBytes();
        }
    }

    @Test
    void fuzzSeedsAreValidFiles() throws Exception {
        for (String seed :
                new String[] {"seed_state_dict.pth", "seed_module.pth", "seed_torchscript.pt"}) {
            Path f = tmp.resolve(seed);
            Files.write(f, resource("archive/" + seed));
            assertTrue(ImporterChecks.archiveReadsOrRejects(f), seed);
            String stem = seed.substring(0, seed.indexOf('.'));
            assertNotNull(
                    ImporterChecks.pickleDecodesOrRejects(resource("pickle/" + stem + ".data.pkl")),
                    stem);
        }
        for (String seed : new String[] {"tiny_half", "tiny_module"}) {
            assertTrue(
                    ImporterChecks.importsOrRejects(resource("torchvision/" + seed + ".data.pkl")),
                    seed);
        }
        assertEquals(
                4,
                TorchArchive.read(tmp.resolve("seed_module.pth")).values().stream()
                        .map(TorchTensor::getElementType)
                        .distinct()
                        .count(),
                "half, float, double and long tensors");
    }
}
