package io.djlquant.imports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PickleReaderTest {

    /** Allows everything, so that these tests see the reader alone (TorchArchive restricts). */
    static final PickleReader.Resolver NONE =
            new PickleReader.Resolver() {
                @Override
                public Object global(String module, String name) {
                    return new PickleReader.Global(module, name);
                }

                @Override
                public Object newObject(Object cls, Object[] args) {
                    return new PickleReader.PyObject((PickleReader.Global) cls, args);
                }

                @Override
                public void build(Object target, Object state) {
                    ((PickleReader.PyObject) target).state = state;
                }

                @Override
                public Object persistentLoad(Object pid) {
                    return "pid:" + ((Object[]) pid)[0];
                }

                @Override
                public Object reduce(Object callable, Object[] args) {
                    return new PickleReader.PyObject((PickleReader.Global) callable, args);
                }
            };

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void readsDictsTuplesNumbersAndMemo() {
        // pickle.dumps({'a': (1, -2, 300), 'b': [True, None], 'c': <memo of 'a' value>},
        // protocol=2)
        byte[] p =
                bytes(
                        0x80, 2, '}', 'q', 0, '(', 'X', 1, 0, 0, 0, 'a', 'K', 1, 'J', 0xfe, 0xff,
                        0xff, 0xff, 'M', 0x2c, 0x01, 0x87, 'q', 1, 'X', 1, 0, 0, 0, 'b', ']', 'q',
                        2, '(', 0x88, 'N', 'e', 'X', 1, 0, 0, 0, 'c', 'h', 1, 'u', '.');
        @SuppressWarnings("unchecked")
        Map<Object, Object> d = (Map<Object, Object>) PickleReader.read(p, NONE);
        assertArrayEquals(new Object[] {1L, -2L, 300L}, (Object[]) d.get("a"));
        assertEquals(java.util.Arrays.asList(true, null), d.get("b"));
        assertTrue(d.get("a") == d.get("c"), "memo returns the same object");
        assertEquals(List.of("a", "b", "c"), List.copyOf(d.keySet()));
    }

    @Test
    void globalsAreNamesAndLong1IsSigned() {
        // c'torch\nFloatStorage\n' (LONG1 -129) TUPLE2 REDUCE STOP
        byte[] p =
                bytes(
                        0x80, 2, 'c', 't', 'o', 'r', 'c', 'h', '\n', 'F', 'S', '\n', 0x8a, 2, 0x7f,
                        0xff, 'K', 5, 0x86, 'R', '.');
        PickleReader.PyObject o = (PickleReader.PyObject) PickleReader.read(p, NONE);
        assertEquals(new PickleReader.Global("torch", "FS"), o.type);
        assertArrayEquals(new Object[] {-129L, 5L}, o.args);
    }

    @Test
    void rejectsMalformedStreams() {
        InvalidArchiveException truncated =
                assertThrows(
                        InvalidArchiveException.class,
                        () -> PickleReader.read(bytes(0x80, 2, 'X', 100, 0, 0, 0, 'a'), NONE));
        assertTrue(truncated.getMessage().contains("exceeds"), truncated.getMessage());
        InvalidArchiveException unknown =
                assertThrows(
                        InvalidArchiveException.class,
                        () -> PickleReader.read(bytes(0x80, 2, 'i', '.'), NONE));
        assertTrue(unknown.getMessage().contains("opcode INST at offset 2"), unknown.getMessage());
        assertThrows(
                InvalidArchiveException.class,
                () -> PickleReader.read(bytes(0x80, 2, 'h', 7, '.'), NONE));
        assertThrows(
                InvalidArchiveException.class,
                () -> PickleReader.read(bytes(0x80, 2, 'K', 1), NONE));
        assertThrows(
                InvalidArchiveException.class, () -> PickleReader.read(bytes(0x80, 2, '.'), NONE));
    }

    @Test
    void halfPrecisionDecoding() {
        assertEquals(1.0f, TorchTensor.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, TorchTensor.halfToFloat((short) 0xc000));
        assertEquals(65504f, TorchTensor.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, TorchTensor.halfToFloat((short) 0x0001));
        assertTrue(Float.isInfinite(TorchTensor.halfToFloat((short) 0x7c00)));
    }
}
