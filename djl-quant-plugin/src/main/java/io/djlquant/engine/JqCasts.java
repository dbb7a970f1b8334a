package io.djlquant.engine;

import ai.djl.ndarray.types.DataType;

/** Element type conversions among FLOAT32, INT32, INT8 and UINT8 without boxing. */
final class JqCasts {

    private JqCasts() {}

    static boolean supports(DataType type) {
        return type == DataType.FLOAT32
                || type == DataType.INT32
                || type == DataType.INT8
                || type == DataType.UINT8;
    }

    static Object convert(Object storage, DataType from, DataType to) {
        int n = java.lang.reflect.Array.getLength(storage);
        switch (to) {
            case FLOAT32:
                float[] f = new float[n];
                for (int i = 0; i < n; i++) {
                    f[i] = asFloat(storage, from, i);
                }
                return f;
            case INT32:
                int[] v = new int[n];
                for (int i = 0; i < n; i++) {
                    v[i] = asInt(storage, from, i);
                }
                return v;
            default: // INT8 and UINT8 keep the low byte
                byte[] b = new byte[n];
                for (int i = 0; i < n; i++) {
                    b[i] = (byte) asInt(storage, from, i);
                }
                return b;
        }
    }

    private static float asFloat(Object storage, DataType from, int i) {
        if (from == DataType.FLOAT32) {
            return ((float[]) storage)[i];
        }
        return asInt(storage, from, i);
    }

    private static int asInt(Object storage, DataType from, int i) {
        switch (from) {
            case FLOAT32:
                return (int) ((float[]) storage)[i];
            case INT32:
                return ((int[]) storage)[i];
            case UINT8:
                return ((byte[]) storage)[i] & 0xFF;
            default:
                return ((byte[]) storage)[i];
        }
    }
}
