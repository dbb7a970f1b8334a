package io.djlquant.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import io.djlquant.quantization.QConfig;
import io.djlquant.quantization.convert.Quantizer;

/**
 * Builds a QFloat model from a float body: {@code QuantStub -> body -> DequantStub}, random
 * parameters (batch norm far from identity), converted with {@code Quantizer.quantizeQat} and
 * calibrated on random batches; afterwards observers are off and fake quant is on.
 */
final class QFloatFixture {

    private QFloatFixture() {}

    static SequentialBlock wrap(Block... body) {
        SequentialBlock s = new SequentialBlock().add(new io.djlquant.nn.QuantStub());
        for (Block b : body) {
            s.add(b);
        }
        return s.add(new io.djlquant.nn.DequantStub());
    }

    /** Random non-trivial parameters for every float block in the tree. */
    static void randomInit(Block b) {
        b.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        b.setInitializer(new NormalInitializer(0.2f), Parameter.Type.BIAS);
        Initializer aroundOne = (m, s, t) -> m.randomUniform(0.5f, 1.5f, s, t);
        Initializer aroundZero = (m, s, t) -> m.randomNormal(0f, 0.3f, s, t);
        b.setInitializer(aroundOne, Parameter.Type.GAMMA);
        b.setInitializer(aroundOne, Parameter.Type.RUNNING_VAR);
        b.setInitializer(aroundZero, Parameter.Type.BETA);
        b.setInitializer(aroundZero, Parameter.Type.RUNNING_MEAN);
    }

    /** Converts to QFloat, initializes on {@code m} and calibrates on a few random batches. */
    static Block qfloat(Block floatNet, QConfig qc, NDManager m, Shape in, float lo, float hi) {
        randomInit(floatNet);
        Block qat = Quantizer.quantizeQat(floatNet, qc);
        qat.initialize(m, DataType.FLOAT32, in);
        calibrate(qat, m, in, lo, hi, 4);
        return qat;
    }

    static void calibrate(Block qat, NDManager m, Shape in, float lo, float hi, int batches) {
        Quantizer.enableObserver(qat, true);
        Quantizer.enableFakeQuant(qat, false);
        for (int i = 0; i < batches; i++) {
            try (NDManager scope = m.newSubManager()) {
                NDArray x = scope.randomUniform(lo, hi, in);
                qat.forward(new ParameterStore(scope, false), new NDList(x), false);
            }
        }
        Quantizer.enableObserver(qat, false);
        Quantizer.enableFakeQuant(qat, true);
    }
}
