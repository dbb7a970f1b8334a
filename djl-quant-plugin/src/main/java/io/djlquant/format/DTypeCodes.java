package io.djlquant.format;

import ai.djl.ndarray.types.DataType;
import java.util.EnumMap;
import java.util.Map;

/** The stable one-byte codes of tensor data types in a {@code .jq} file; never renumber them. */
final class DTypeCodes {

    private static final DataType[] BY_CODE = new DataType[256];
    private static final Map<DataType, Integer> BY_TYPE = new EnumMap<>(DataType.class);

    static {
        define(1, DataType.FLOAT32);
        define(2, DataType.FLOAT64);
        define(3, DataType.FLOAT16);
        define(4, DataType.BFLOAT16);
        define(5, DataType.INT8);
        define(6, DataType.UINT8);
        define(7, DataType.INT16);
        define(8, DataType.UINT16);
        define(9, DataType.INT32);
        define(10, DataType.UINT32);
        define(11, DataType.INT64);
        define(12, DataType.UINT64);
        define(13, DataType.BOOLEAN);
    }

    private DTypeCodes() {}

    private static void define(int code, DataType type) {
        BY_CODE[code] = type;
        BY_TYPE.put(type, code);
    }

    /** Returns the data type of {@code code}, or {@code null} if it is not a known code. */
    static DataType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    static boolean isSupported(DataType type) {
        return BY_TYPE.containsKey(type);
    }

    static int toCode(DataType type) {
        Integer code = BY_TYPE.get(type);
        if (code == null) {
            throw new IllegalArgumentException(
                    "Data type " + type + " cannot be stored in a .jq file");
        }
        return code;
    }
}
