package io.djlquant.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operations a predictor applies to a batch run in Java on JavaQuant arrays and give the same
 * elements as PyTorch; int8 arrays keep their quantization parameters.
 */
class JqBatchOpsTest {

    private JqNDManager manager;
    private NDManager torch;

    @BeforeEach
    void setUp() {
        manager = (JqNDManager) Engine.getEngine("JavaQuant").newBaseManager();
        torch = Engine.getEngine("PyTorch").newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
        torch.close();
    }

    private static float[] ramp(int n, float offset) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + i * 0.5f - n / 4f;
        }
        return v;
    }

    private JqNDArray int8(Shape shape, int seed, float scale, int zeroPoint) {
        byte[] b = new byte[(int) shape.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 37 + seed * 11);
        }
        return manager.create(b, shape)
                .setQuantization(new float[] {scale}, new int[] {zeroPoint}, JqNDArray.PER_TENSOR);
    }

    @Test
    void stackConcatAndSplitMatchPyTorchOnEveryAxis() {
        Shape shape = new Shape(2, 3, 4);
        float[][] data = {ramp(24, 0f), ramp(24, 100f), ramp(24, -50f)};
        NDList jq = new NDList();
        NDList pt = new NDList();
        for (float[] d : data) {
            jq.add(manager.create(d, shape));
            pt.add(torch.create(d, shape));
        }
        for (int axis = -4; axis <= 3; axis++) {
            NDArray a = NDArrays.stack(jq, axis);
            NDArray b = NDArrays.stack(pt, axis);
            assertInstanceOf(JqNDArray.class, a);
            assertEquals(b.getShape(), a.getShape(), "stack axis " + axis);
            assertArrayEquals(b.toFloatArray(), a.toFloatArray(), "stack axis " + axis);
        }
        for (int axis = -3; axis <= 2; axis++) {
            NDArray a = NDArrays.concat(jq, axis);
            NDArray b = NDArrays.concat(pt, axis);
            assertInstanceOf(JqNDArray.class, a);
            assertEquals(b.getShape(), a.getShape(), "concat axis " + axis);
            assertArrayEquals(b.toFloatArray(), a.toFloatArray(), "concat axis " + axis);
            int nonNegative = axis < 0 ? axis + 3 : axis; // PyTorch's split takes no negative axis
            NDList pieces = a.split(new long[] {1, 4}, axis);
            NDList expected = b.split(new long[] {1, 4}, nonNegative);
            assertEquals(expected.size(), pieces.size());
            for (int i = 0; i < pieces.size(); i++) {
                assertInstanceOf(JqNDArray.class, pieces.get(i));
                assertEquals(expected.get(i).getShape(), pieces.get(i).getShape());
                assertArrayEquals(expected.get(i).toFloatArray(), pieces.get(i).toFloatArray());
            }
        }
    }

    @Test
    void batchifierKeepsInt8AndItsParameters() {
        Shape image = new Shape(3, 4, 4);
        NDList[] inputs = new NDList[8];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = new NDList(int8(image, i, 0.05f, -3));
        }
        NDList batch = Batchifier.STACK.batchify(inputs);
        JqNDArray stacked = assertInstanceOf(JqNDArray.class, batch.singletonOrThrow());
        assertEquals(new Shape(8, 3, 4, 4), stacked.getShape());
        assertEquals(DataType.INT8, stacked.getDataType());
        assertArrayEquals(new float[] {0.05f}, stacked.getQuantScales());
        assertArrayEquals(new int[] {-3}, stacked.getQuantZeroPoints());
        NDList[] back = Batchifier.STACK.unbatchify(batch);
        assertEquals(8, back.length);
        for (int i = 0; i < back.length; i++) {
            JqNDArray one = assertInstanceOf(JqNDArray.class, back[i].singletonOrThrow());
            assertEquals(image, one.getShape());
            assertArrayEquals(((JqNDArray) inputs[i].head()).getByteData(), one.getByteData());
            assertArrayEquals(new float[] {0.05f}, one.getQuantScales());
            assertEquals(JqNDArray.PER_TENSOR, one.getQuantAxis());
        }
    }

    @Test
    void perChannelParametersFollowTheAxes() {
        JqNDArray a = manager.create(new byte[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
        a.setQuantization(new float[] {0.1f, 0.2f, 0.3f}, new int[] {0, 1, 2}, 1);
        JqNDArray b = manager.create(new byte[] {7, 8, 9, 10, 11, 12}, new Shape(2, 3));
        b.setQuantization(new float[] {0.1f, 0.2f, 0.3f}, new int[] {0, 1, 2}, 1);
        JqNDArray stacked = (JqNDArray) NDArrays.stack(new NDList(a, b), 0);
        assertEquals(2, stacked.getQuantAxis());
        JqNDArray joined = (JqNDArray) NDArrays.concat(new NDList(a, b), 1);
        assertEquals(new Shape(2, 6), joined.getShape());
        assertArrayEquals(
                new float[] {0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.3f}, joined.getQuantScales());
        NDList parts = joined.split(new long[] {2}, 1);
        JqNDArray first = (JqNDArray) parts.get(0);
        assertArrayEquals(new float[] {0.1f, 0.2f}, first.getQuantScales());
        assertArrayEquals(new byte[] {1, 2, 4, 5}, first.getByteData());
        JqNDArray expanded = a.expandDims(0);
        assertEquals(new Shape(1, 2, 3), expanded.getShape());
        assertEquals(2, expanded.getQuantAxis());
        assertEquals(1, ((JqNDArray) expanded.squeeze(0)).getQuantAxis());
    }

    @Test
    void differentlyQuantizedArraysAreNotJoinedSilently() {
        JqNDArray a = int8(new Shape(2, 2), 1, 0.05f, 0);
        JqNDArray b = int8(new Shape(2, 2), 2, 0.07f, 0);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> NDArrays.stack(new NDList(a, b)));
        assertTrue(e.getMessage().contains("quantized alike"), e.getMessage());
        JqNDArray plain = manager.create(new byte[4], new Shape(2, 2));
        assertThrows(IllegalArgumentException.class, () -> NDArrays.concat(new NDList(a, plain)));
        assertThrows(
                IllegalArgumentException.class,
                () -> NDArrays.stack(new NDList(a, manager.create(new float[4], new Shape(2, 2)))));
        assertThrows(
                IllegalArgumentException.class,
                () -> NDArrays.stack(new NDList(a, int8(new Shape(4), 1, 0.05f, 0))));
    }

    @Test
    void foreignArraysAreCopiedInOnce() {
        JqNDArray a = manager.create(ramp(6, 0f), new Shape(2, 3));
        NDArray b = torch.create(ramp(6, 9f), new Shape(2, 3));
        NDArray s = NDArrays.stack(new NDList(a, b));
        assertInstanceOf(JqNDArray.class, s);
        assertArrayEquals(
                NDArrays.stack(new NDList(torch.create(ramp(6, 0f), new Shape(2, 3)), b))
                        .toFloatArray(),
                s.toFloatArray());
    }

    @Test
    void softmaxAndSqueezeMatchPyTorch() {
        float[] v = ramp(24, 3f);
        for (int axis = -3; axis <= 2; axis++) {
            float[] expected = torch.create(v, new Shape(2, 3, 4)).softmax(axis).toFloatArray();
            NDArray actual = manager.create(v, new Shape(2, 3, 4)).softmax(axis);
            assertInstanceOf(JqNDArray.class, actual);
            assertArrayEquals(expected, actual.toFloatArray(), 1e-6f, "axis " + axis);
        }
        NDArray row = manager.create(v, new Shape(1, 24, 1));
        assertEquals(new Shape(24), row.squeeze().getShape());
        assertThrows(IllegalArgumentException.class, () -> row.squeeze(1));
    }

    @Test
    void toTensorAndNormalizeRunInJavaAndMatchPyTorch() {
        byte[] hwc = new byte[2 * 5 * 4 * 3]; // NHWC, uint8 pixels
        for (int i = 0; i < hwc.length; i++) {
            hwc[i] = (byte) (i * 53 + 7);
        }
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        for (Shape shape : new Shape[] {new Shape(2, 5, 4, 3), new Shape(5, 4, 3)}) {
            int n = (int) shape.size();
            NDArray jq = manager.create(java.nio.ByteBuffer.wrap(hwc, 0, n), shape, DataType.UINT8);
            NDArray pt = torch.create(java.nio.ByteBuffer.wrap(hwc, 0, n), shape, DataType.UINT8);
            NDArray jqTensor = jq.getNDArrayInternal().toTensor();
            NDArray ptTensor = pt.getNDArrayInternal().toTensor();
            assertInstanceOf(JqNDArray.class, jqTensor);
            assertEquals(ptTensor.getShape(), jqTensor.getShape());
            assertArrayEquals(
                    ptTensor.toFloatArray(), jqTensor.toFloatArray(), 0f, "toTensor " + shape);
            NDArray jqNorm = jqTensor.getNDArrayInternal().normalize(mean, std);
            NDArray ptNorm = ptTensor.getNDArrayInternal().normalize(mean, std);
            assertInstanceOf(JqNDArray.class, jqNorm);
            assertArrayEquals(
                    ptNorm.toFloatArray(), jqNorm.toFloatArray(), 1e-6f, "normalize " + shape);
        }
        NDArray flat = manager.create(new float[] {1f, 2f});
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> flat.getNDArrayInternal().toTensor());
        assertTrue(e.getMessage().contains("HWC"), e.getMessage());
        NDArray chw = manager.create(new float[2 * 4], new Shape(2, 2, 2));
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> chw.getNDArrayInternal().normalize(mean, std));
        assertTrue(e.getMessage().contains("3 means"), e.getMessage());
    }
}
