package io.djlquant.training;

import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with one PyTorch intra-op thread and restores the previous count afterwards.
 *
 * <p>On this shared 2-core machine two busy-waiting OpenMP threads were measured 6-10x slower than
 * one thread whenever other processes compete for the cores.
 */
final class SingleThreadedTorch implements BeforeAllCallback, AfterAllCallback {

    private int saved;

    @Override
    public void beforeAll(ExtensionContext context) {
        Trainers.engine(); // loads the native library before JniUtils is used
        saved = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        JniUtils.setNumThreads(saved);
    }
}
