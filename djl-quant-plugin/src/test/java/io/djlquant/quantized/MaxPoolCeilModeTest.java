package io.djlquant.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.djlquant.quantization.qparams.QDType;
import io.djlquant.quantization.qparams.QParams;
import org.junit.jupiter.api.Test;

/**
 * The int8 max pool in ceil mode (SqueezeNet's pools) gives exactly PyTorch's float max pool of the
 * dequantized input: same output size, same values, for signed and unsigned activations.
 */
class MaxPoolCeilModeTest {

    @Test
    void equalsPyTorchCeilModeOnDequantizedValues() {
        int[][] cases = { // h, w, kernel, stride, pad
            {13, 13, 3, 2, 0},
            {12, 12, 3, 2, 0},
            {7, 9, 2, 2, 0},
            {10, 11, 3, 2, 1},
            {6, 6, 3, 3, 1},
            {5, 8, 2, 3, 0}
        };
        try (NDManager pt = NDManager.newBaseManager("PyTorch");
                NDManager jq = QTests.jq()) {
            for (QParams q :
                    new QParams[] {
                        QParams.perTensor(QDType.QINT8, 0.05f, 3),
                        QParams.perTensor(QDType.QUINT8, 0.02f, 128)
                    }) {
                for (int[] c : cases) {
                    Shape in = new Shape(2, 3, c[0], c[1]);
                    Shape k = new Shape(c[2], c[2]);
                    Shape s = new Shape(c[3], c[3]);
                    Shape p = new Shape(c[4], c[4]);
                    // values on the grid, negative ones included, so a padded -infinity and a real
                    // low value differ
                    float[] x = QTests.uniform(c[0] * 31L + c[1], (int) in.size(), -3f, 2f);
                    for (int i = 0; i < x.length; i++) {
                        int v =
                                Math.max(
                                        q.getDType().qmin(),
                                        Math.min(
                                                q.getDType().qmax(),
                                                Math.round(x[i] / q.scale(0)) + q.zeroPoint(0)));
                        x[i] = (v - q.zeroPoint(0)) * q.scale(0);
                    }
                    NDArray expected = Pool.maxPool2d(pt.create(x, in), k, s, p, true);
                    MaxPool2d pool = new MaxPool2d(PoolGeometry.of(k, s, p), true, q);
                    NDArray actual = QTests.run(pool, jq, jq.create(x, in));
                    String what = java.util.Arrays.toString(c) + " " + q;
                    assertEquals(expected.getShape(), actual.getShape(), what);
                    assertEquals(
                            expected.getShape(), pool.getOutputShapes(new Shape[] {in})[0], what);
                    assertArrayEquals(
                            expected.toFloatArray(), QuantizedModels.realValues(actual), 0f, what);
                }
            }
        }
    }
}
