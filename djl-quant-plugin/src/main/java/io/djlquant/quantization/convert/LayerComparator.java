package io.djlquant.quantization.convert;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import io.djlquant.engine.JqEngine;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the Float, QFloat and Q forms of one network on the same batches with {@link LayerTaps} and
 * accumulates, layer by layer, the errors of {@link LayerComparison}. Float and QFloat run on the
 * batches' own engine, Q on a JavaQuant copy of each batch (int8 from input to logits, as it is
 * deployed). The QFloat tree runs with fake quantization on and observers off (its state is put
 * back afterwards), so comparing does not change its quantization parameters.
 */
final class LayerComparator {

    private LayerComparator() {}

    static LayerComparison compare(
            Block floatModel, Block qfloat, Block q, Iterable<NDArray> batches) {
        if (floatModel == null || qfloat == null || q == null || batches == null) {
            throw new IllegalArgumentException(
                    "compare needs the Float, QFloat and Q trees and input batches");
        }
        LayerTaps f = new LayerTaps(floatModel);
        LayerTaps qf = new LayerTaps(qfloat);
        LayerTaps qq = new LayerTaps(q);
        int n = f.paths().size();
        if (qf.paths().size() != n || qq.paths().size() != n) {
            throw new IllegalArgumentException(
                    String.format(
                            "compare needs three forms of one network: the Float tree has %d"
                                    + " layers, QFloat %d, Q %d (QFloat must come from"
                                    + " Quantizer.quantizeQat(float) and Q from"
                                    + " Quantizer.quantize(qfloat))",
                            n, qf.paths().size(), qq.paths().size()));
        }
        Accumulator[][] acc = new Accumulator[n][3];
        for (Accumulator[] row : acc) {
            for (int k = 0; k < 3; k++) {
                row[k] = new Accumulator();
            }
        }
        Shape[] shapes = new Shape[n];
        int images = 0;
        Map<String, FakeQuantizeBase> fqs = BlockTree.fakeQuants(qfloat);
        boolean[] observing = new boolean[fqs.size()];
        boolean[] faking = new boolean[fqs.size()];
        int i = 0;
        for (FakeQuantizeBase fq : fqs.values()) {
            observing[i] = fq.isObserverEnabled();
            faking[i++] = fq.isFakeQuantEnabled();
        }
        try (NDManager jq = Engine.getEngine(JqEngine.ENGINE_NAME).newBaseManager()) {
            Quantizer.enableObserver(qfloat, false);
            Quantizer.enableFakeQuant(qfloat, true);
            for (NDArray batch : batches) {
                if (batch == null || batch.getShape().dimension() == 0) {
                    throw new IllegalArgumentException(
                            "compare: a batch must be an array with a batch axis, got "
                                    + (batch == null ? "null" : batch.getShape()));
                }
                float[][] fOut;
                float[][] qfOut;
                float[][] qOut;
                float[] values = batch.toType(DataType.FLOAT32, false).toFloatArray();
                try (NDManager s = batch.getManager().newSubManager()) {
                    NDArray x = s.create(values, batch.getShape());
                    fOut = f.run(x);
                    qfOut = qf.run(x);
                }
                try (NDManager s = jq.newSubManager()) {
                    qOut = qq.run(s.create(values, batch.getShape()));
                    Shape[] last = qq.lastShapes();
                    System.arraycopy(last, 0, shapes, 0, n);
                }
                for (int l = 0; l < n; l++) {
                    String where = BlockTree.display(f.paths().get(l));
                    acc[l][0].add(where, fOut[l], qfOut[l]);
                    acc[l][1].add(where, qfOut[l], qOut[l]);
                    acc[l][2].add(where, fOut[l], qOut[l]);
                }
                images += (int) batch.getShape().get(0);
            }
        } finally {
            i = 0;
            for (FakeQuantizeBase fq : fqs.values()) {
                fq.enableObserver(observing[i]);
                fq.enableFakeQuant(faking[i++]);
            }
        }
        if (images == 0) {
            throw new IllegalArgumentException("compare needs at least one input batch");
        }
        List<LayerComparison.Layer> rows = new ArrayList<>(n);
        for (int l = 0; l < n; l++) {
            rows.add(
                    new LayerComparison.Layer(
                            f.paths().get(l),
                            f.blocks().get(l),
                            qq.blocks().get(l),
                            String.valueOf(shapes[l]),
                            acc[l][0].errors(),
                            acc[l][1].errors(),
                            acc[l][2].errors()));
        }
        return new LayerComparison(rows, images);
    }

    /** Sums over all batches for one (layer, pair of forms). */
    private static final class Accumulator {
        private double signal;
        private double noise;
        private double absSum;
        private double maxAbs;
        private long count;

        void add(String layer, float[] ref, float[] x) {
            if (ref.length != x.length) {
                throw new IllegalArgumentException(
                        "compare: layer '"
                                + layer
                                + "' gives "
                                + ref.length
                                + " values in one form and "
                                + x.length
                                + " in another; the trees are not forms"
                                + " of one network");
            }
            for (int i = 0; i < ref.length; i++) {
                double r = ref[i];
                double d = (double) x[i] - r;
                signal += r * r;
                noise += d * d;
                double a = Math.abs(d);
                absSum += a;
                if (a > maxAbs || Double.isNaN(a)) {
                    maxAbs = a;
                }
            }
            count += ref.length;
        }

        LayerComparison.Errors errors() {
            double sqnr = noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
            return new LayerComparison.Errors(sqnr, maxAbs, count == 0 ? 0 : absSum / count);
        }
    }
}
