package io.djlquant.format;

import java.nio.charset.StandardCharsets;

/** Constants of the {@code .jq} file format: magic, version and the limits a reader enforces. */
public final class JqFormat {

    /** The four bytes every {@code .jq} file starts with. */
    public static final byte[] MAGIC = "DJLQ".getBytes(StandardCharsets.US_ASCII);

    /** The format version this code writes and the newest it reads. */
    public static final int VERSION = 1;

    /** File name extension of model files. */
    public static final String EXTENSION = ".jq";

    /** Largest file the reader accepts (it is held in one Java array). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    /** Largest JSON graph in bytes. */
    public static final int MAX_JSON_BYTES = 64 << 20;

    /**
     * Deepest nesting of JSON objects and arrays (each block level uses two), below Gson's own
     * limit of 255 so that the reader reports it clearly.
     */
    public static final int MAX_JSON_DEPTH = 250;

    /** Most tensors in one file. */
    public static final int MAX_TENSORS = 1 << 20;

    /** Longest tensor name in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 1024;

    /** Highest tensor rank. */
    public static final int MAX_RANK = 8;

    /* Byte sizes of the fixed parts. */
    static final int HEADER_BYTES = 4 + 2 + 4; // magic, version, JSON length
    static final int CRC_BYTES = 4;
    static final int MIN_FILE_BYTES = HEADER_BYTES + 4 + CRC_BYTES; // + tensor count
    static final int MIN_ENTRY_BYTES =
            2 + 1 + 1 + 8 + 8; // name length, dtype, rank, offset, length

    private JqFormat() {}
}
