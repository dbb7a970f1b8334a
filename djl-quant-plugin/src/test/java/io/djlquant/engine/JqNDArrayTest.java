package io.djlquant.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JqNDArrayTest {

    private JqNDManager manager;

    @BeforeEach
    void setUp() {
        manager = (JqNDManager) Engine.getEngine("JavaQuant").newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /** pad in Java equals PyTorch's (last axis first), keeps uint8 image arrays uint8. */
    @Test
    void padEqualsPyTorch() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            float[] data = new float[3 * 4 * 2];
            for (int i = 0; i < data.length; i++) {
                data[i] = i * 7 % 23;
            }
            Shape shape = new Shape(3, 4, 2);
            for (Shape padding :
                    new Shape[] {
                        new Shape(0, 0, 2, 1, 1, 3),
                        new Shape(1, 2),
                        new Shape(0, 0, 0, 0, 0, 0),
                        new Shape(2, 0, 0, 1)
                    }) {
                NDArray expected = pt.create(data, shape).pad(padding, 5);
                NDArray got = manager.create(data, shape).pad(padding, 5);
                assertEquals(expected.getShape(), got.getShape(), padding.toString());
                assertArrayEquals(expected.toFloatArray(), got.toFloatArray(), padding.toString());
                NDArray bytes =
                        manager.create(data, shape).toType(DataType.UINT8, false).pad(padding, 0);
                assertEquals(DataType.UINT8, bytes.getDataType());
                assertArrayEquals(
                        pt.create(data, shape).pad(padding, 0).toFloatArray(),
                        bytes.toType(DataType.FLOAT32, false).toFloatArray());
            }
            NDArray a = manager.create(data, shape);
            assertThrows(IllegalArgumentException.class, () -> a.pad(new Shape(1, 1, 1), 0));
            assertThrows(IllegalArgumentException.class, () -> a.pad(new Shape(-1, 0), 0));
        }
    }

    @Test
    void float32RoundTrip() {
        float[] data = {1.5f, -2f, 3.25f, 0f, 7f, -0.125f};
        NDArray a = manager.create(data, new Shape(2, 3));
        assertEquals(DataType.FLOAT32, a.getDataType());
        assertEquals(new Shape(2, 3), a.getShape());
        assertArrayEquals(data, a.toFloatArray());
        ByteBuffer bb = a.toByteBuffer();
        assertEquals(ByteOrder.nativeOrder(), bb.order());
        assertEquals(24, bb.remaining());
        assertEquals(-2f, bb.getFloat(4));
        assertEquals(24, a.toByteArray().length);
        assertThrows(IllegalStateException.class, () -> ((JqNDArray) a).getIntData());
    }

    @Test
    void int8Uint8Int32Storage() {
        byte[] q = {-128, -1, 0, 1, 127, 5};
        JqNDArray i8 = manager.create(q, new Shape(3, 2));
        assertEquals(DataType.INT8, i8.getDataType());
        assertArrayEquals(q, i8.toByteArray());
        assertArrayEquals(q, i8.getByteData());

        JqNDArray u8 =
                manager.create(
                        ByteBuffer.wrap(new byte[] {(byte) 255, 0, (byte) 128}),
                        new Shape(3),
                        DataType.UINT8);
        assertEquals(DataType.UINT8, u8.getDataType());
        assertEquals(255, u8.getByteData()[0] & 0xFF);
        assertArrayEquals(new int[] {255, 0, 128}, u8.toUint8Array());

        int[] acc = {Integer.MIN_VALUE, -7, 0, Integer.MAX_VALUE};
        JqNDArray i32 = manager.create(acc, new Shape(2, 2));
        assertEquals(DataType.INT32, i32.getDataType());
        assertArrayEquals(acc, i32.toIntArray());
        assertArrayEquals(acc, i32.getIntData());
        assertThrows(IllegalStateException.class, i32::toFloatArray);
    }

    @Test
    void otherTypesKeepTheirBytes() {
        long[] longs = {Long.MIN_VALUE, 3, Long.MAX_VALUE};
        NDArray l = manager.create(longs);
        assertEquals(DataType.INT64, l.getDataType());
        assertArrayEquals(longs, l.toLongArray());
        double[] doubles = {Math.PI, -0.0, 1e300};
        assertArrayEquals(doubles, manager.create(doubles).toDoubleArray());
        NDArray b = manager.create(new boolean[] {true, false, true});
        assertArrayEquals(new boolean[] {true, false, true}, b.toBooleanArray());
        UnsupportedOperationException e =
                assertThrows(
                        UnsupportedOperationException.class,
                        () -> manager.create(new String[] {"x"}));
        assertTrue(e.getMessage().contains("STRING"), e.getMessage());
    }

    @Test
    void createFromByteBufferIgnoresPositionOfCaller() {
        ByteBuffer bb = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
        bb.putFloat(1f).putFloat(2f).putFloat(3f).flip();
        NDArray a = manager.create(bb, new Shape(3), DataType.FLOAT32);
        assertArrayEquals(new float[] {1f, 2f, 3f}, a.toFloatArray());
        assertEquals(0, bb.position());
        // Too little data is rejected with DJL's message.
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        manager.create(
                                FloatBuffer.wrap(new float[2]), new Shape(3), DataType.FLOAT32));
    }

    @Test
    void duplicateIsIndependentAndKeepsQuantization() {
        JqNDArray a = manager.create(new byte[] {1, 2, 3, 4}, new Shape(2, 2));
        a.setName("w");
        a.setQuantization(new float[] {0.5f, 0.25f}, new int[] {0, 1}, 0);
        JqNDArray copy = a.duplicate();
        assertNotSame(a.getByteData(), copy.getByteData());
        assertArrayEquals(a.toByteArray(), copy.toByteArray());
        assertEquals("w", copy.getName());
        assertTrue(copy.isQuantized());
        assertArrayEquals(new float[] {0.5f, 0.25f}, copy.getQuantScales());
        assertArrayEquals(new int[] {0, 1}, copy.getQuantZeroPoints());
        assertEquals(0, copy.getQuantAxis());
        copy.set(ByteBuffer.wrap(new byte[] {9, 9, 9, 9}));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, a.toByteArray());
        assertArrayEquals(new byte[] {9, 9, 9, 9}, copy.toByteArray());
        assertTrue(copy.isQuantized(), "set(Buffer) keeps quantization parameters");
    }

    @Test
    void quantizationParametersAreValidated() {
        JqNDArray a = manager.create(new byte[6], new Shape(3, 2));
        assertFalse(a.isQuantized());
        assertNull(a.getQuantScales());
        a.setQuantization(new float[] {0.1f}, new int[] {-3}, JqNDArray.PER_TENSOR);
        assertEquals(JqNDArray.PER_TENSOR, a.getQuantAxis());
        assertThrows(
                IllegalArgumentException.class,
                () -> a.setQuantization(new float[] {0.1f, 0.2f}, new int[] {0, 0}, 0));
        assertThrows(
                IllegalArgumentException.class,
                () -> a.setQuantization(new float[] {0f}, new int[] {0}, JqNDArray.PER_TENSOR));
        assertThrows(
                IllegalArgumentException.class,
                () -> a.setQuantization(new float[] {Float.NaN}, new int[] {0}, -1));
        assertThrows(
                IllegalArgumentException.class,
                () -> a.setQuantization(new float[] {1f, 1f}, new int[] {0}, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> a.setQuantization(new float[] {1f, 1f}, new int[] {0, 0}, 2));
        a.clearQuantization();
        assertFalse(a.isQuantized());
        // Returned parameters are copies.
        a.setQuantization(new float[] {1f, 2f, 3f}, new int[] {0, 0, 0}, 0);
        a.getQuantScales()[0] = 99f;
        assertEquals(1f, a.getQuantScales()[0]);
    }

    @Test
    void closeReleasesArray() {
        NDArray a = manager.create(new float[] {1f});
        a.close();
        assertTrue(a.isReleased());
        assertThrows(IllegalStateException.class, a::getShape);
        assertThrows(IllegalStateException.class, a::toFloatArray);

        NDManager sub = manager.newSubManager();
        NDArray b = sub.create(new float[] {2f});
        sub.close();
        assertTrue(b.isReleased(), "closing the manager closes its arrays");
    }

    @Test
    void wrapDoesNotCopy() {
        float[] data = {1f, 2f};
        JqNDArray a = manager.wrap(data, new Shape(2));
        assertSame(data, a.getFloatData());
        byte[] bytes = {1, 2, 3};
        assertSame(bytes, manager.wrap(bytes, new Shape(3), DataType.INT8).getByteData());
        assertThrows(
                IllegalArgumentException.class, () -> manager.wrap(new float[3], new Shape(2)));
        assertThrows(
                IllegalArgumentException.class,
                () -> manager.wrap(new byte[4], new Shape(4), DataType.FLOAT32));
    }

    @Test
    void reshapeSharesDataAndCarriesQuantization() {
        JqNDArray a = manager.create(new byte[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
        a.setQuantization(new float[] {0.5f}, new int[] {1}, JqNDArray.PER_TENSOR);
        JqNDArray flat = a.reshape(new Shape(-1));
        assertEquals(new Shape(6), flat.getShape());
        assertSame(a.getByteData(), flat.getByteData());
        assertTrue(flat.isQuantized());
        assertEquals(new Shape(6), a.flatten().getShape());

        JqNDArray w = manager.create(new byte[12], new Shape(2, 3, 2));
        w.setQuantization(new float[] {1f, 2f}, new int[] {0, 0}, 0);
        assertEquals(0, w.reshape(new Shape(2, 6)).getQuantAxis());
        assertThrows(UnsupportedOperationException.class, () -> w.reshape(new Shape(3, 4)));
        assertThrows(IllegalArgumentException.class, () -> a.reshape(new Shape(4)));
    }

    @Test
    void zerosOnesFull() {
        assertArrayEquals(new float[4], manager.zeros(new Shape(2, 2)).toFloatArray());
        assertArrayEquals(
                new int[] {1, 1}, manager.ones(new Shape(2), DataType.INT32).toIntArray());
        assertArrayEquals(
                new byte[] {-3, -3}, manager.full(new Shape(2), -3f, DataType.INT8).toByteArray());
        assertArrayEquals(
                new long[] {5, 5}, manager.full(new Shape(2), 5f, DataType.INT64).toLongArray());
    }

    @Test
    void convertsArraysFromOtherEngines() {
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            NDArray p = pt.create(new float[] {1f, 2f, 3f}, new Shape(3, 1));
            p.setName("p");
            JqNDArray j = manager.from(p);
            assertInstanceOf(JqNDArray.class, j);
            assertEquals(new Shape(3, 1), j.getShape());
            assertArrayEquals(new float[] {1f, 2f, 3f}, j.toFloatArray());
            assertEquals("p", j.getName());
            assertSame(j, manager.from(j));
            // And back: PyTorch accepts the JavaQuant array.
            assertArrayEquals(new float[] {1f, 2f, 3f}, pt.from(j).toFloatArray());
        }
        // Creation helpers the engine borrows from PyTorch come back as JavaQuant arrays.
        NDArray r = manager.arange(0f, 4f, 1f, DataType.FLOAT32);
        assertInstanceOf(JqNDArray.class, r);
        assertArrayEquals(new float[] {0f, 1f, 2f, 3f}, r.toFloatArray());
    }

    @Test
    void worksWhenAttachedToAnotherEnginesManager() {
        JqNDArray a = manager.create(new float[] {1f, 2f, 3f, 4f}, new Shape(2, 2));
        NDManager pt = NDManager.newBaseManager("PyTorch");
        a.attach(pt);
        JqNDArray copy = a.duplicate();
        JqNDArray view = a.reshape(new Shape(4));
        assertSame(pt, copy.getManager());
        assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, view.toFloatArray());
        pt.close();
        assertTrue(a.isReleased() && copy.isReleased() && view.isReleased());
    }

    @Test
    void toTypeMatchesPyTorch() {
        float[] f = {-3.7f, -0.5f, 0f, 2.2f, 100.9f, 127f};
        byte[] q = {-128, -1, 0, 1, 77, 127};
        byte[] u = {0, 1, 77, (byte) 128, (byte) 200, (byte) 255};
        try (NDManager pt = NDManager.newBaseManager("PyTorch")) {
            NDArray[][] pairs = {
                {manager.create(f), pt.create(f)},
                {manager.create(q), pt.create(q)},
                {
                    manager.create(ByteBuffer.wrap(u), new Shape(6), DataType.UINT8),
                    pt.create(ByteBuffer.wrap(u), new Shape(6), DataType.UINT8)
                },
                {
                    manager.create(new int[] {-9, 0, 5, 200, -1, 127}),
                    pt.create(new int[] {-9, 0, 5, 200, -1, 127})
                }
            };
            for (NDArray[] pair : pairs) {
                for (DataType to : new DataType[] {DataType.FLOAT32, DataType.INT32}) {
                    NDArray mine = pair[0].toType(to, false);
                    assertInstanceOf(JqNDArray.class, mine);
                    assertEquals(to, mine.getDataType());
                    assertArrayEquals(
                            pair[1].toType(to, false).toByteArray(),
                            mine.toByteArray(),
                            pair[0].getDataType() + " -> " + to);
                }
            }
            // In-range narrowing agrees too.
            NDArray small = manager.create(new int[] {-128, -5, 0, 127});
            assertArrayEquals(
                    new byte[] {-128, -5, 0, 127},
                    small.toType(DataType.INT8, false).toByteArray());
        }
        JqNDArray quantized = manager.create(new byte[] {1, 2}, new Shape(2));
        quantized.setQuantization(new float[] {0.5f}, new int[] {0}, JqNDArray.PER_TENSOR);
        assertFalse(((JqNDArray) quantized.toType(DataType.FLOAT32, false)).isQuantized());
    }

    @Test
    void contentEqualsAndToString() {
        NDArray a = manager.create(new float[] {1f, 2f});
        NDArray b = manager.create(new float[] {1f, 2f});
        assertTrue(a.contentEquals(b));
        assertTrue(a.toString().contains("float32"), a.toString());
    }
}
