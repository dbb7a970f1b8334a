package io.djlquant.dataset;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Strict reader for gzip-compressed IDX files (the MNIST/Fashion-MNIST container format).
 *
 * <p>Every header field is checked and the payload must be exactly as long as the header says, so
 * truncated or padded files are rejected instead of silently yielding partial data.
 */
final class IdxReader {

    /** IDX magic for unsigned-byte, 3-dimensional data (images). */
    static final int IMAGES_MAGIC = 2051;

    /** IDX magic for unsigned-byte, 1-dimensional data (labels). */
    static final int LABELS_MAGIC = 2049;

    static final String INSTALL_HINT =
            "install the Debian package dataset-fashion-mnist"
                    + " (apt-get install dataset-fashion-mnist)";

    private IdxReader() {}

    /**
     * Decoded image file: {@code count} images of {@code rows x cols} unsigned bytes, row-major.
     */
    record Images(int count, int rows, int cols, byte[] pixels) {}

    /**
     * Reads an IDX3 image file.
     *
     * @param file the gzip file
     * @param rows the required number of rows per image
     * @param cols the required number of columns per image
     * @return the decoded images
     * @throws IOException if the file is missing, unreadable or malformed
     */
    static Images readImages(Path file, int rows, int cols) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            if (magic != IMAGES_MAGIC) {
                throw corrupt(
                        file,
                        "wrong magic number "
                                + magic
                                + " (expected "
                                + IMAGES_MAGIC
                                + " for an image file)");
            }
            int count = readHeaderInt(in, file, "image count");
            int r = readHeaderInt(in, file, "row count");
            int c = readHeaderInt(in, file, "column count");
            if (count <= 0) {
                throw corrupt(file, "image count " + count + " is not positive");
            }
            if (r != rows || c != cols) {
                throw corrupt(
                        file,
                        "image size " + r + "x" + c + " (expected " + rows + "x" + cols + ")");
            }
            long expected = (long) count * rows * cols;
            if (expected > Integer.MAX_VALUE - 8) {
                throw corrupt(file, "image count " + count + " is implausibly large");
            }
            byte[] pixels = readPayload(in, file, (int) expected);
            return new Images(count, rows, cols, pixels);
        }
    }

    /**
     * Reads an IDX1 label file and checks every label lies in {@code [0, numClasses)}.
     *
     * @param file the gzip file
     * @param numClasses the number of classes
     * @return one byte per label
     * @throws IOException if the file is missing, unreadable or malformed
     */
    static byte[] readLabels(Path file, int numClasses) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = readHeaderInt(in, file, "magic number");
            if (magic != LABELS_MAGIC) {
                throw corrupt(
                        file,
                        "wrong magic number "
                                + magic
                                + " (expected "
                                + LABELS_MAGIC
                                + " for a label file)");
            }
            int count = readHeaderInt(in, file, "label count");
            if (count <= 0) {
                throw corrupt(file, "label count " + count + " is not positive");
            }
            byte[] labels = readPayload(in, file, count);
            for (int i = 0; i < labels.length; i++) {
                int v = labels[i] & 0xFF;
                if (v >= numClasses) {
                    throw corrupt(
                            file,
                            "label " + v + " at index " + i + " is outside 0.." + (numClasses - 1));
                }
            }
            return labels;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(
                    file.toString(),
                    null,
                    "Fashion-MNIST file is missing: " + file + "; " + INSTALL_HINT);
        }
        InputStream raw = Files.newInputStream(file);
        try {
            return new DataInputStream(
                    new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
        } catch (IOException e) {
            raw.close();
            throw new IOException(
                    "Fashion-MNIST file "
                            + file
                            + " is not a valid gzip file ("
                            + e.getMessage()
                            + "); "
                            + INSTALL_HINT,
                    e);
        }
    }

    private static int readHeaderInt(DataInputStream in, Path file, String what)
            throws IOException {
        try {
            return in.readInt(); // IDX headers are big-endian, as DataInputStream reads them
        } catch (EOFException e) {
            throw corrupt(file, "file ends inside the header (reading the " + what + ")");
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    // readNBytes grows its buffer while reading, so a lying header cannot force a huge allocation
    // before the truncation is noticed.
    private static byte[] readPayload(DataInputStream in, Path file, int expected)
            throws IOException {
        byte[] data;
        int extra;
        try {
            data = in.readNBytes(expected);
            extra = data.length == expected ? in.read() : -1;
        } catch (EOFException e) {
            throw corrupt(
                    file,
                    "file is truncated: the compressed stream ends before the "
                            + expected
                            + " data bytes announced by its header");
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        if (data.length != expected) {
            throw corrupt(
                    file,
                    "file is truncated: header announces "
                            + expected
                            + " data bytes but only "
                            + data.length
                            + " are present");
        }
        if (extra != -1) {
            throw corrupt(
                    file,
                    "file has trailing bytes after the "
                            + expected
                            + " data bytes announced by its header");
        }
        return data;
    }

    private static IOException corrupt(Path file, String problem) {
        return new IOException(
                "Fashion-MNIST file " + file + " is corrupt: " + problem + "; " + INSTALL_HINT);
    }

    private static IOException unreadable(Path file, IOException cause) {
        return new IOException(
                "Fashion-MNIST file "
                        + file
                        + " cannot be decoded ("
                        + cause.getMessage()
                        + "); "
                        + INSTALL_HINT,
                cause);
    }
}
