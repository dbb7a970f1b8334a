package io.djlquant.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The engine as DJL users see it, through DJL's public API only. */
class JqEngineTest {

    @Test
    void runsOffline() {
        // Everything below must work without network access.
        assertEquals("true", System.getProperty("ai.djl.offline"));
    }

    @Test
    void engineIsDiscoveredThroughServiceLoader() {
        assertTrue(Engine.getAllEngines().contains("JavaQuant"), Engine.getAllEngines().toString());
        assertTrue(Engine.hasEngine("JavaQuant"));
        Engine engine = Engine.getEngine("JavaQuant");
        assertEquals("JavaQuant", engine.getEngineName());
        assertEquals(JqEngine.VERSION, engine.getVersion());
        assertTrue(engine.toString().startsWith("JavaQuant:"));
        assertFalse(engine.hasCapability(StandardCapabilities.CUDA));
        assertFalse(engine.hasCapability(StandardCapabilities.MKL));
        assertEquals(Device.cpu(), engine.defaultDevice());
        assertEquals(0, engine.getGpuCount());
    }

    @Test
    void defaultEngineStaysPyTorchAndIsTheAlternative() {
        Engine engine = Engine.getEngine("JavaQuant");
        assertNotEquals("JavaQuant", Engine.getInstance().getEngineName());
        assertTrue(engine.getRank() > Engine.getEngine("PyTorch").getRank());
        Engine alternative = engine.getAlternativeEngine();
        assertNotNull(alternative);
        assertEquals("PyTorch", alternative.getEngineName());
    }

    @Test
    void baseManagerCreatesJavaQuantArrays() {
        try (NDManager manager = Engine.getEngine("JavaQuant").newBaseManager()) {
            NDArray a = manager.create(new float[] {1f, 2f, 3f, 4f}, new Shape(2, 2));
            assertInstanceOf(JqNDArray.class, a);
            assertEquals("JavaQuant", a.getManager().getEngine().getEngineName());
            assertEquals(Device.cpu(), a.getDevice());
            NDArray b = NDManager.newBaseManager("JavaQuant").create(new int[] {7});
            assertInstanceOf(JqNDArray.class, b);
            b.getManager().close();
        }
    }

    @Test
    void unimplementedOpsRunOnPyTorch() {
        try (NDManager manager = Engine.getEngine("JavaQuant").newBaseManager()) {
            float[] x = {-1.5f, 0f, 0.25f, 2f, 3f, -4f};
            NDArray a = manager.create(x, new Shape(2, 3));

            NDArray exp = a.exp();
            assertEquals("PyTorch", exp.getManager().getEngine().getEngineName());
            assertEquals(new Shape(2, 3), exp.getShape());
            float[] e = exp.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Math.exp(x[i]), e[i], 1e-6 * Math.exp(x[i]));
            }

            float[] s = a.softmax(1).toFloatArray();
            for (int r = 0; r < 2; r++) {
                double sum = 0;
                for (int c = 0; c < 3; c++) {
                    sum += Math.exp(x[r * 3 + c]);
                }
                for (int c = 0; c < 3; c++) {
                    assertEquals(Math.exp(x[r * 3 + c]) / sum, s[r * 3 + c], 1e-6);
                }
            }

            // Binary op with a JavaQuant operand on both sides.
            NDArray b = manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            float[] sum = a.add(b).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i] + i + 1, sum[i], 0f);
            }

            // int8 data goes through the alternative engine as int8.
            NDArray q = manager.create(new byte[] {-128, -1, 0, 127}, new Shape(4));
            NDArray qs = q.toType(DataType.INT32, false).mul(2);
            assertEquals(-256, qs.toIntArray()[0]);
            assertEquals(254, qs.toIntArray()[3]);
        }
    }

    @Test
    void rejectsGpuDevices() {
        Engine engine = Engine.getEngine("JavaQuant");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> engine.newBaseManager(Device.gpu()));
        assertTrue(e.getMessage().contains("CPU"), e.getMessage());
    }
}
