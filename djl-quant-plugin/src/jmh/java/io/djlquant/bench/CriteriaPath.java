package io.djlquant.bench;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.Batchifier;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.djlquant.quantized.QuantizedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's int8 model as a DJL user gets it: saved as {@code .jq}, loaded with {@code
 * Criteria.builder().setTypes(NDList.class, NDList.class).optEngine("JavaQuant")
 * .optModelPath(dir)}, run through a {@link Predictor}. Inputs are created the way a caller of the
 * predictor would: float arrays in a sub-manager of the model's manager.
 *
 * <ul>
 *   <li>{@link #predict()}: {@code predict(NDList)} with the whole (batch, 3, side, side) tensor
 *       ({@code NoopTranslator} without batchifier);
 *   <li>{@link #batchPredict()}: {@code batchPredict} of {@code batch} separate (3, side, side)
 *       images, stacked and split by DJL's {@code Batchifier.STACK}.
 * </ul>
 */
final class CriteriaPath implements AutoCloseable {

    private final Path dir;
    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> single;
    private final Predictor<NDList, NDList> stacked;

    private CriteriaPath(Path dir, ZooModel<NDList, NDList> model) {
        this.dir = dir;
        this.model = model;
        this.single = model.newPredictor();
        this.stacked = model.newPredictor(new NoopTranslator(Batchifier.STACK));
    }

    /** Saves {@code q} to a temporary directory and loads it back through {@code Criteria}. */
    static CriteriaPath load(Block q)
            throws IOException, ModelNotFoundException, MalformedModelException {
        Path dir = saveTemp(q);
        Criteria<NDList, NDList> criteria =
                Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optModelPath(dir)
                        .optEngine("JavaQuant")
                        .optTranslator(new NoopTranslator())
                        .build();
        return new CriteriaPath(dir, criteria.loadModel());
    }

    /**
     * Writes {@code q} as {@code <temp dir>/resnet18.jq}; the caller deletes it (see {@link
     * #delete}).
     */
    static Path saveTemp(Block q) throws IOException {
        Path dir = Files.createTempDirectory("resnet-criteria");
        QuantizedModels.save(q, dir.resolve("resnet18.jq"), Map.of());
        return dir;
    }

    static void delete(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve("resnet18.jq"));
        Files.deleteIfExists(dir);
    }

    /** The engine the loaded model reports (must be JavaQuant). */
    String engineName() {
        return model.getNDManager().getEngine().getEngineName();
    }

    Pass predict() {
        return (x, n, side) -> {
            try (NDManager s = model.getNDManager().newSubManager()) {
                NDList out = single.predict(new NDList(s.create(x, new Shape(n, 3, side, side))));
                out.singletonOrThrow().toFloatArray();
            } catch (TranslateException e) {
                throw new IllegalStateException("Criteria predict failed", e);
            }
        };
    }

    Pass batchPredict() {
        return (x, n, side) -> {
            int per = 3 * side * side;
            try (NDManager s = model.getNDManager().newSubManager()) {
                List<NDList> in = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    in.add(
                            new NDList(
                                    s.create(
                                            Arrays.copyOfRange(x, i * per, (i + 1) * per),
                                            new Shape(3, side, side))));
                }
                for (NDList out : stacked.batchPredict(in)) {
                    out.singletonOrThrow().toFloatArray();
                }
            } catch (TranslateException e) {
                throw new IllegalStateException("Criteria batchPredict failed", e);
            }
        };
    }

    @Override
    public void close() throws IOException {
        stacked.close();
        single.close();
        model.close();
        delete(dir);
    }
}
