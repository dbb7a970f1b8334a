package io.djlquant.engine;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineProvider;

/** Registers the JavaQuant engine with DJL's {@link java.util.ServiceLoader} discovery. */
public class JqEngineProvider implements EngineProvider {

    private volatile Engine engine; // NOPMD created lazily: DJL lists providers before using them

    /** {@inheritDoc} */
    @Override
    public String getEngineName() {
        return JqEngine.ENGINE_NAME;
    }

    /** {@inheritDoc} */
    @Override
    public int getEngineRank() {
        return JqEngine.RANK;
    }

    /** {@inheritDoc} */
    @Override
    public Engine getEngine() {
        Engine e = engine;
        if (e == null) {
            synchronized (this) {
                e = engine;
                if (e == null) {
                    e = new JqEngine();
                    engine = e;
                }
            }
        }
        return e;
    }
}
