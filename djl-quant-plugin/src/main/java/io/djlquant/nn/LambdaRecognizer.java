package io.djlquant.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Identifies what a DJL {@link LambdaBlock} computes. Its function is opaque, so the block is run
 * on random inputs and its outputs compared with a list of known candidates (identity, relu, batch
 * flatten, global average pooling, max/avg pooling with common windows). The first candidate that
 * matches on every probe wins; a block that matches none is not recognised.
 */
final class LambdaRecognizer {

    /** A known function and the block that computes it. */
    static final class Candidate {
        final String name;
        final Function<NDArray, NDArray> fn;
        final Supplier<Block> factory;

        Candidate(String name, Function<NDArray, NDArray> fn, Supplier<Block> factory) {
            this.name = name;
            this.fn = fn;
            this.factory = factory;
        }
    }

    private static final List<Candidate> CANDIDATES = buildCandidates();

    private final NDManager manager;
    private final Map<Block, Candidate> cache = new IdentityHashMap<>();
    private final Map<Block, Boolean> tried = new IdentityHashMap<>();

    LambdaRecognizer(NDManager manager) {
        this.manager = manager;
    }

    private static List<Candidate> buildCandidates() {
        List<Candidate> c = new ArrayList<>();
        c.add(new Candidate("identity", x -> x, Identity::new));
        c.add(new Candidate("relu", Activation::relu, Relu::new));
        // no standalone block: it fuses into the convolution before it, or the Fuser keeps it
        c.add(new Candidate("relu6", Activation::relu6, null));
        // no int8 form: quantizeQat keeps them in float (their QAT mapping is a float fallback)
        c.add(new Candidate("sigmoid", Activation::sigmoid, Sigmoid::new));
        c.add(new Candidate("tanh", Activation::tanh, Tanh::new));
        for (int s = 2; s <= 4; s++) {
            int scale = s;
            c.add(
                    new Candidate(
                            "upsample nearest x" + s,
                            x -> x.repeat(2, scale).repeat(3, scale),
                            () -> new Upsample(scale)));
        }
        c.add(new Candidate("batchFlatten", Blocks::batchFlatten, Flatten::new));
        c.add(new Candidate("unflatten", LambdaRecognizer::unflatten, Unflatten::new));
        c.add(new Candidate("globalAvgPool2d", Pool::globalAvgPool2d, GlobalAvgPool2d::new));
        // up to 5x5: DJL's LeNet averages over 5x5 windows (stride 2, padding 2)
        for (int k = 1; k <= 5; k++) {
            for (int s : new int[] {1, 2, k}) {
                for (int p = 0; 2 * p <= k; p++) {
                    for (boolean ceil : new boolean[] {false, true}) {
                        addPools(c, k, s, p, ceil);
                    }
                }
            }
        }
        return c;
    }

    private static void addPools(List<Candidate> c, int k, int s, int p, boolean ceil) {
        Shape ks = new Shape(k, k);
        Shape ss = new Shape(s, s);
        Shape ps = new Shape(p, p);
        String cfg = k + "x" + k + "/" + s + "/" + p + (ceil ? "/ceil" : "");
        for (Candidate e : c) {
            if (e.name.endsWith(cfg)) {
                return; // stride k duplicates an earlier stride
            }
        }
        c.add(
                new Candidate(
                        "maxPool2d " + cfg,
                        x -> Pool.maxPool2d(x, ks, ss, ps, ceil),
                        () -> new MaxPool2d(ks, ss, ps, ceil)));
        c.add(
                new Candidate(
                        "avgPool2d " + cfg,
                        x -> Pool.avgPool2d(x, ks, ss, ps, ceil, true),
                        () -> new AvgPool2d(ks, ss, ps, ceil, true)));
        if (p > 0) {
            c.add(
                    new Candidate(
                            "avgPool2d excludePad " + cfg,
                            x -> Pool.avgPool2d(x, ks, ss, ps, ceil, false),
                            () -> new AvgPool2d(ks, ss, ps, ceil, false)));
        }
    }

    /** (N, C) to (N, C, 1, 1); other ranks are not this function. */
    private static NDArray unflatten(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("unflatten takes (N, C), got " + s);
        }
        return x.reshape(s.get(0), s.get(1), 1, 1);
    }

    /**
     * Returns the candidate the block computes at input shape {@code shape}, or {@code null}.
     *
     * @param block a lambda block
     * @param shape the input shape it sees in the model
     */
    Candidate recognize(LambdaBlock block, Shape shape) {
        if (tried.containsKey(block)) {
            return cache.get(block);
        }
        Candidate found = probe(block, shape);
        tried.put(block, Boolean.TRUE);
        cache.put(block, found);
        return found;
    }

    private Candidate probe(LambdaBlock block, Shape shape) {
        try (NDManager sub = manager.newSubManager()) {
            List<NDArray> inputs = new ArrayList<>();
            // the real shape (the block must work on it) ...
            inputs.add(sub.randomNormal(shape));
            // ... at a wider scale, which tells apart functions that differ only on large values
            // (relu and relu6: a normal sample is almost never above 6) ...
            inputs.add(sub.randomNormal(0f, 8f, shape, DataType.FLOAT32));
            // ... and a generic shape of the same rank that tells apart functions which coincide
            // on the real one (e.g. global pooling and identity on a 1x1 map)
            if (shape.dimension() == 4) {
                inputs.add(sub.randomNormal(new Shape(2, 3, 7, 9)));
            } else if (shape.dimension() == 2) {
                inputs.add(sub.randomNormal(new Shape(3, 5)));
                inputs.add(sub.randomNormal(new Shape(2, 3, 4, 5)));
            }
            ParameterStore ps = new ParameterStore(sub, false);
            List<NDArray> outputs = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                NDArray y;
                try {
                    NDList out = block.forward(ps, new NDList(inputs.get(i)), false);
                    y = out.size() == 1 ? out.head() : null;
                } catch (RuntimeException e) {
                    if (i == 0) {
                        return null; // fails on its real input shape: nothing to recognise
                    }
                    y = null; // a shape-specific lambda; this probe is skipped
                }
                if (i == 0 && y == null) {
                    return null;
                }
                outputs.add(y);
            }
            for (Candidate c : CANDIDATES) {
                if (matches(c, inputs, outputs)) {
                    return c;
                }
            }
            return null;
        }
    }

    private static boolean matches(Candidate c, List<NDArray> inputs, List<NDArray> outputs) {
        for (int i = 0; i < inputs.size(); i++) {
            NDArray y = outputs.get(i);
            if (y == null) {
                continue;
            }
            NDArray expected;
            try {
                expected = c.fn.apply(inputs.get(i));
            } catch (RuntimeException e) {
                return false;
            }
            if (!close(expected, y)) {
                return false;
            }
        }
        return true;
    }

    /** Whether two arrays have the same shape and values (up to float rounding). */
    static boolean close(NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            return false;
        }
        if (a.size() == 0) {
            return true;
        }
        float diff = a.sub(b).abs().max().getFloat();
        float scale = a.abs().max().getFloat();
        return diff <= 1e-6f * (1f + scale);
    }
}
