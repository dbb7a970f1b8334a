package io.djlquant.engine;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JavaQuant engine: runs quantized (int8) models in pure Java on the CPU.
 *
 * <p>Obtain it with {@code Engine.getEngine("JavaQuant")}. Operations that {@link JqNDArray} does
 * not implement itself are executed by the alternative engine, PyTorch when it is on the classpath.
 */
public final class JqEngine extends Engine {

    /** The name under which DJL knows this engine. */
    public static final String ENGINE_NAME = "JavaQuant";

    /** The engine version (the djl-quant version). */
    public static final String VERSION = "0.1.0";

    /** Name of the preferred alternative engine. */
    public static final String ALTERNATIVE_ENGINE_NAME = "PyTorch";

    /*
     * DJL's api jar registers the RPC engine, which forwards whole models to a server and has no
     * local array operations; without PyTorch it becomes DJL's default engine but cannot stand in.
     */
    private static final String RPC_ENGINE_NAME = "RPC";

    /** System property that, when {@code true}, disables the alternative engine. */
    public static final String DISABLE_ALTERNATIVE_PROPERTY =
            "ai.djl.javaquant.disable_alternative";

    /*
     * A high rank keeps JavaQuant from becoming DJL's default engine: the default stays a full
     * engine (PyTorch), which JavaQuant itself relies on as its alternative.
     */
    static final int RANK = 20;

    private static final Logger logger = LoggerFactory.getLogger(JqEngine.class);

    private Engine alternativeEngine;
    private boolean alternativeResolved;

    JqEngine() {}

    /**
     * Returns the engine that executes the operations JavaQuant does not implement: PyTorch if it
     * is registered, otherwise DJL's default engine unless that is JavaQuant itself or DJL's RPC
     * client engine; {@code null} if none is available or {@value #DISABLE_ALTERNATIVE_PROPERTY} is
     * {@code true}.
     *
     * @return the alternative engine or {@code null}
     */
    @Override
    public synchronized Engine getAlternativeEngine() {
        if (!alternativeResolved) {
            alternativeResolved = true;
            alternativeEngine = resolveAlternative();
        }
        return alternativeEngine;
    }

    private Engine resolveAlternative() {
        if (Boolean.getBoolean(DISABLE_ALTERNATIVE_PROPERTY)) {
            return null;
        }
        try {
            if (Engine.hasEngine(ALTERNATIVE_ENGINE_NAME)) {
                return Engine.getEngine(ALTERNATIVE_ENGINE_NAME);
            }
            String defaultName = Engine.getDefaultEngineName();
            if (defaultName != null
                    && !ENGINE_NAME.equals(defaultName)
                    && !RPC_ENGINE_NAME.equals(defaultName)) {
                return Engine.getEngine(defaultName);
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            // JavaQuant's own operations still work without it; only the fallback ops are lost.
            logger.warn(
                    "JavaQuant: alternative engine unavailable, fallback operations disabled", e);
        }
        return null;
    }

    /** {@inheritDoc} */
    @Override
    public String getEngineName() {
        return ENGINE_NAME;
    }

    /** {@inheritDoc} */
    @Override
    public int getRank() {
        return RANK;
    }

    /** {@inheritDoc} */
    @Override
    public String getVersion() {
        return VERSION;
    }

    /**
     * Returns {@code false} for every capability: JavaQuant has no CUDA, cuDNN, MKL, MKL-DNN or
     * OpenMP.
     *
     * @param capability the capability to check
     * @return always {@code false}
     */
    @Override
    public boolean hasCapability(String capability) {
        return false;
    }

    /** {@inheritDoc} */
    @Override
    public Model newModel(String name, Device device) {
        return new JqModel(name, newBaseManager(device));
    }

    /** {@inheritDoc} */
    @Override
    public NDManager newBaseManager() {
        return newBaseManager(null);
    }

    /**
     * Creates a top-level manager on the CPU.
     *
     * @param device {@code null} or a CPU device
     * @return a new manager
     * @throws IllegalArgumentException if {@code device} is not a CPU
     */
    @Override
    public NDManager newBaseManager(Device device) {
        return JqNDManager.getSystemManager().newSubManager(device);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        Engine alt = getAlternativeEngine();
        return ENGINE_NAME
                + ':'
                + VERSION
                + " (pure Java int8 engine, alternative: "
                + (alt == null ? "none" : alt.getEngineName())
                + ')';
    }
}
