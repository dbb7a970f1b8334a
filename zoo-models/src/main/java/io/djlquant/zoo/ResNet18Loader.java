package io.djlquant.zoo;

import ai.djl.MalformedModelException;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.BaseModelLoader;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads the ResNet18 artifacts and picks the variant that fits the requested engine: without a
 * {@value #QUANTIZATION} filter, the PyTorch engine gets the float model ({@value #NONE}) and any
 * other engine (or none) the QAT int8 model ({@value #QAT}), or the PTQ one ({@value #PTQ}) when no
 * QAT model is shipped. A filter naming a variant the requested engine cannot run is rejected with
 * a message saying which engine it needs.
 */
public final class ResNet18Loader extends BaseModelLoader {

    /** The artifact id. */
    public static final String ARTIFACT_ID = "resnet18";

    /** The filter key telling the variants apart. */
    public static final String QUANTIZATION = "quantization";

    /** The float variant. */
    public static final String NONE = "none";

    /** The int8 variant from post-training quantization. */
    public static final String PTQ = "ptq";

    /** The int8 variant from quantization-aware training. */
    public static final String QAT = "qat";

    /**
     * Creates the loader.
     *
     * @param mrl the resource locator of the artifact
     */
    public ResNet18Loader(MRL mrl) {
        super(mrl);
    }

    /** {@inheritDoc} */
    @Override
    public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria)
            throws IOException, ModelNotFoundException, MalformedModelException {
        return super.loadModel(withVariant(criteria, hasQat(criteria)));
    }

    /** {@inheritDoc} */
    @Override
    public <I, O> boolean isDownloaded(Criteria<I, O> criteria)
            throws IOException, ModelNotFoundException {
        return super.isDownloaded(withVariant(criteria, hasQat(criteria)));
    }

    private boolean hasQat(Criteria<?, ?> criteria) throws IOException {
        Map<String, String> filters =
                criteria.getFilters() == null
                        ? new HashMap<>()
                        : new HashMap<>(criteria.getFilters());
        filters.put(QUANTIZATION, QAT);
        return getMrl().match(filters) != null;
    }

    static <I, O> Criteria<I, O> withVariant(Criteria<I, O> criteria, boolean hasQat)
            throws ModelNotFoundException {
        String engine = criteria.getEngine();
        Map<String, String> filters =
                criteria.getFilters() == null
                        ? new HashMap<>()
                        : new HashMap<>(criteria.getFilters());
        String variant = filters.get(QUANTIZATION);
        if (variant == null) {
            variant = DjlQuantModelZoo.FLOAT_ENGINE.equals(engine) ? NONE : hasQat ? QAT : PTQ;
            filters.put(QUANTIZATION, variant);
        }
        if (engine != null) {
            String needed =
                    NONE.equals(variant)
                            ? DjlQuantModelZoo.FLOAT_ENGINE
                            : DjlQuantModelZoo.QUANTIZED_ENGINE;
            if (!needed.equals(engine)) {
                throw new ModelNotFoundException(
                        "ResNet18 variant "
                                + QUANTIZATION
                                + "="
                                + variant
                                + " runs on the "
                                + needed
                                + " engine, not on "
                                + engine);
            }
        }
        return criteria.toBuilder().optFilters(filters).build();
    }
}
