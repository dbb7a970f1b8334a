package io.djlquant.quantization.convert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.util.ProgressBar;
import ai.djl.util.Pair;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import io.djlquant.quantization.qparams.QParams;
import java.util.Collection;
import java.util.Map;

/** Post-training calibration of a QFloat tree (see {@code Quantizer.calibrate}). */
final class Calibrator {

    private Calibrator() {}

    static void calibrate(
            Block qfloat, Iterable<Batch> data, int maxBatches, boolean closeBatches) {
        if (qfloat == null || data == null) {
            throw new IllegalArgumentException("calibrate needs a block and data");
        }
        if (maxBatches <= 0) {
            throw new IllegalArgumentException(
                    "maxBatches must be > 0 (Integer.MAX_VALUE for all), got " + maxBatches);
        }
        Map<String, FakeQuantizeBase> fqs = BlockTree.fakeQuants(qfloat);
        if (fqs.isEmpty()) {
            throw new IllegalArgumentException(
                    "the block has no fake quants; convert it with Quantizer.quantizeQat first");
        }
        for (FakeQuantizeBase fq : fqs.values()) {
            fq.enableObserver(true);
            fq.enableFakeQuant(false);
        }
        long total = maxBatches;
        if (data instanceof Collection) {
            total = Math.min(total, ((Collection<?>) data).size());
        }
        ProgressBar bar = new ProgressBar("Calibrating", total);
        bar.start(0);
        int seen = 0;
        for (Batch batch : data) {
            if (seen >= maxBatches) {
                if (closeBatches) {
                    batch.close();
                }
                break;
            }
            try {
                if (seen == 0) {
                    ensureInitialized(qfloat, batch.getData());
                }
                forward(qfloat, batch);
            } finally {
                if (closeBatches) {
                    batch.close();
                }
            }
            seen++;
            bar.increment(1);
        }
        bar.end();
        if (seen == 0) {
            throw new IllegalArgumentException("calibration set is empty");
        }
        for (Map.Entry<String, FakeQuantizeBase> e : fqs.entrySet()) {
            check(e.getKey(), e.getValue());
        }
        for (FakeQuantizeBase fq : fqs.values()) {
            fq.enableObserver(false);
            fq.enableFakeQuant(true);
        }
    }

    private static void forward(Block qfloat, Batch batch) {
        NDManager owner = batch.getManager();
        // intermediate arrays live in a scope closed after each batch
        try (NDManager scope = owner.newSubManager()) {
            NDList data = batch.getData();
            data.tempAttach(scope);
            qfloat.forward(new ParameterStore(scope, false), data, false, null);
        }
    }

    private static void check(String path, FakeQuantizeBase fq) {
        if (!fq.getObserver().hasObserved()) {
            throw new IllegalStateException(
                    "fake quant '"
                            + BlockTree.display(path)
                            + "' observed no data during"
                            + " calibration (was its block executed?)");
        }
        QParams qp;
        try {
            qp = fq.getObserver().computeQParams();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "fake quant '" + BlockTree.display(path) + "': " + e.getMessage(), e);
        }
        for (float s : qp.getScales()) {
            if (!Float.isFinite(s) || s <= 0f) {
                throw new IllegalStateException(
                        "fake quant '" + BlockTree.display(path) + "' calibrated to scale " + s);
            }
        }
    }

    /**
     * Saving needs initialized blocks; initialize the QAT tree from the data shapes, with the
     * manager of the float weights (already initialized ones are kept).
     */
    private static void ensureInitialized(Block qfloat, NDList sample) {
        if (qfloat.isInitialized()) {
            return;
        }
        NDManager manager = null;
        for (Pair<String, Parameter> p : qfloat.getParameters()) {
            if (p.getValue().isInitialized()) {
                NDArray a = p.getValue().getArray();
                manager = a.getManager();
                break;
            }
        }
        if (manager == null) {
            throw new IllegalStateException(
                    "the model's parameters are not initialized; train or load the float model"
                            + " before calibrating it");
        }
        qfloat.initialize(manager, DataType.FLOAT32, sample.getShapes());
    }
}
