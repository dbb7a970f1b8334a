package io.djlquant.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import io.djlquant.format.AffineTestBlock;
import io.djlquant.format.JqModelWriter;
import io.djlquant.format.ScaleTestBlock;
import io.djlquant.format.TestCodecs;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and running .jq models through DJL's Model, Predictor and Criteria APIs. */
class JqModelTest {

    private static final float[] WEIGHT = {2f, -1f};
    private static final float[] BIAS = {0.5f, 3f};
    private static final float FACTOR = 0.25f;

    @BeforeAll
    static void registerTestCodecs() {
        TestCodecs.register();
    }

    /** Writes {@code <dir>/<name>.jq}: Affine -> Scale -> Affine. */
    private static void writeModel(Path file) throws Exception {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // Weights may come from any engine; the writer copies them.
            SequentialBlock block =
                    new SequentialBlock()
                            .add(new AffineTestBlock(m.create(WEIGHT), m.create(BIAS)))
                            .add(new ScaleTestBlock(FACTOR))
                            .add(new AffineTestBlock(m.create(WEIGHT), m.create(BIAS)));
            JqModelWriter.write(file, block, Map.of("inputShape", "(N, 2)"));
        }
    }

    private static float[] expected(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = i % 2;
            float v = (x[i] * WEIGHT[c] + BIAS[c]) * FACTOR;
            y[i] = v * WEIGHT[c] + BIAS[c];
        }
        return y;
    }

    private static float[] predict(Model model, float[] x) throws Exception {
        try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator());
                NDManager inputs = Engine.getEngine("JavaQuant").newBaseManager()) {
            NDArray in = inputs.create(x, new Shape(x.length / 2, 2));
            NDList out = predictor.predict(new NDList(in));
            NDArray y = out.singletonOrThrow();
            assertInstanceOf(JqNDArray.class, y);
            return y.toFloatArray();
        }
    }

    @Test
    void loadDirectoryAndPredict(@TempDir Path dir) throws Exception {
        writeModel(dir.resolve("tiny.jq"));
        float[] x = {1f, 2f, -3f, 0.5f, 10f, -7f};
        try (Model model = Model.newInstance("tiny", "JavaQuant")) {
            assertInstanceOf(JqModel.class, model);
            model.load(dir);
            assertInstanceOf(SequentialBlock.class, model.getBlock());
            assertEquals(3, model.getBlock().getChildren().size());
            assertEquals("(N, 2)", model.getProperty("inputShape"));
            assertArrayEquals(expected(x), predict(model, x));
        }
    }

    @Test
    void loadByFilePathPrefixAndStream(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("other.jq");
        writeModel(file);
        float[] x = {4f, -4f};
        try (Model model = Model.newInstance("x", "JavaQuant")) {
            model.load(file);
            assertEquals("other", model.getName());
            assertArrayEquals(expected(x), predict(model, x));
        }
        try (Model model = Model.newInstance("x", "JavaQuant")) {
            model.load(dir, "other");
            assertArrayEquals(expected(x), predict(model, x));
        }
        try (Model model = Model.newInstance("x", "JavaQuant");
                InputStream in = Files.newInputStream(file)) {
            model.load(in);
            assertArrayEquals(expected(x), predict(model, x));
        }
    }

    @Test
    void criteriaWithEngineJavaQuant(@TempDir Path dir) throws Exception {
        writeModel(dir.resolve("zoo.jq"));
        Criteria<NDList, NDList> criteria =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optModelPath(dir)
                        .optEngine("JavaQuant")
                        .optTranslator(new NoopTranslator())
                        .build();
        float[] x = {0f, 1f, 2f, 3f};
        try (ZooModel<NDList, NDList> model = criteria.loadModel()) {
            assertEquals("JavaQuant", model.getNDManager().getEngine().getEngineName());
            assertArrayEquals(expected(x), predict(model, x));
        }
    }

    @Test
    void saveWritesAJqFile(@TempDir Path dir) throws Exception {
        writeModel(dir.resolve("a.jq"));
        Path out = dir.resolve("saved");
        try (Model model = Model.newInstance("a", "JavaQuant")) {
            model.load(dir);
            model.save(out, "b");
        }
        assertTrue(Files.isRegularFile(out.resolve("b.jq")));
        float[] x = {1f, 1f};
        try (Model model = Model.newInstance("b", "JavaQuant")) {
            model.load(out);
            assertArrayEquals(expected(x), predict(model, x));
        }
    }

    @Test
    void missingAndMalformedFiles(@TempDir Path dir) throws Exception {
        try (Model model = Model.newInstance("none", "JavaQuant")) {
            FileNotFoundException e =
                    assertThrows(FileNotFoundException.class, () -> model.load(dir));
            assertTrue(e.getMessage().contains(".jq"), e.getMessage());
        }
        Files.write(dir.resolve("bad.jq"), new byte[] {'D', 'J', 'L', 'Q', 1, 0, 0});
        try (Model model = Model.newInstance("bad", "JavaQuant")) {
            MalformedModelException e =
                    assertThrows(MalformedModelException.class, () -> model.load(dir));
            assertTrue(e.getMessage().contains("Truncated"), e.getMessage());
        }
    }
}
