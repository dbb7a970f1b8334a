package io.djlquant.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.djlquant.engine.JqNDArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the arrays of other engines (PyTorch, ...) that Q blocks received or returned in this JVM.
 *
 * <p>A JavaQuant predictor keeps a batch in JavaQuant arrays from the translator's input to its
 * output, so the count stays unchanged while it runs: every int8 activation passes from block to
 * block as it is. A count that grows means some caller fed arrays of another engine, and each such
 * array costs a copy in, a quantization and a copy out. Applications and tests can watch it to
 * check their path; counting costs one type check per array.
 */
public final class ForeignArrays {

    private static final LongAdder COUNT = new LongAdder();

    private ForeignArrays() {}

    /**
     * Returns how many non-JavaQuant arrays Q blocks have received or returned so far.
     *
     * @return the count since the JVM started
     */
    public static long count() {
        return COUNT.sum();
    }

    /* Counts the arrays of the list that are not JavaQuant arrays. */
    static void record(NDList arrays) {
        for (NDArray a : arrays) {
            if (!(a instanceof JqNDArray)) {
                COUNT.increment();
            }
        }
    }
}
