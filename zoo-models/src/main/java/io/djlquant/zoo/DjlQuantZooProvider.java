package io.djlquant.zoo;

import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooProvider;

/** Registers {@link DjlQuantModelZoo} with DJL (listed in {@code META-INF/services}). */
public final class DjlQuantZooProvider implements ZooProvider {

    /** {@inheritDoc} */
    @Override
    public ModelZoo getModelZoo() {
        return new DjlQuantModelZoo();
    }
}
