package io.djlquant.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict parsing: small hand-written IDX files, valid and corrupt, in a temporary directory. */
class FashionMnistFilesTest {

    private static final String HINT = "apt-get install dataset-fashion-mnist";

    @TempDir Path dir;

    @Test
    void validSmallFilesLoad() throws IOException {
        writeImages(2051, 3, 28, 28, 3 * 784);
        writeLabels(2049, new byte[] {4, 0, 9});
        FashionMnist ds = open();
        assertEquals(3, ds.size());
        assertEquals(9, ds.getLabel(2));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray img = ds.get(m, 1).getData().singletonOrThrow();
            // writeImages fills pixel p of image i with (i * 784 + p) % 256.
            int raw = (784 + 30) % 256;
            assertEquals(raw / 255f, img.getFloat(0, 1, 2), 1e-6f);
        }
    }

    @Test
    void wrongImageMagic() throws IOException {
        writeImages(2049, 3, 28, 28, 3 * 784);
        writeLabels(2049, new byte[] {1, 2, 3});
        assertClearError(images(), "magic number 2049");
    }

    @Test
    void wrongLabelMagic() throws IOException {
        writeImages(2051, 3, 28, 28, 3 * 784);
        writeLabels(2051, new byte[] {1, 2, 3});
        assertClearError(labels(), "magic number 2051");
    }

    @Test
    void truncatedPayload() throws IOException {
        writeImages(2051, 3, 28, 28, 3 * 784 - 100);
        writeLabels(2049, new byte[] {1, 2, 3});
        assertClearError(images(), "truncated");
    }

    @Test
    void truncatedCompressedStream() throws IOException {
        writeImages(2051, 3, 28, 28, 3 * 784);
        writeLabels(2049, new byte[] {1, 2, 3});
        byte[] gz = Files.readAllBytes(images());
        Files.write(images(), Arrays.copyOf(gz, gz.length / 2));
        assertClearError(images(), "truncated");
    }

    @Test
    void trailingBytes() throws IOException {
        writeImages(2051, 3, 28, 28, 3 * 784 + 5);
        writeLabels(2049, new byte[] {1, 2, 3});
        assertClearError(images(), "trailing bytes");
    }

    @Test
    void countMismatch() throws IOException {
        writeImages(2051, 3, 28, 28, 3 * 784);
        writeLabels(2049, new byte[] {1, 2, 3, 4});
        IOException e = assertThrows(IOException.class, () -> open());
        assertTrue(e.getMessage().contains("3 images but"), e.getMessage());
        assertTrue(e.getMessage().contains("4 labels"), e.getMessage());
        assertTrue(e.getMessage().contains(images().toString()), e.getMessage());
        assertTrue(e.getMessage().contains(HINT), e.getMessage());
    }

    @Test
    void wrongDimensions() throws IOException {
        writeImages(2051, 2, 32, 32, 2 * 32 * 32);
        writeLabels(2049, new byte[] {1, 2});
        assertClearError(images(), "32x32");
    }

    @Test
    void labelOutOfRange() throws IOException {
        writeImages(2051, 3, 28, 28, 3 * 784);
        writeLabels(2049, new byte[] {1, 10, 3});
        assertClearError(labels(), "label 10 at index 1");
    }

    @Test
    void missingFile() throws IOException {
        writeLabels(2049, new byte[] {1, 2, 3});
        assertClearError(images(), "missing");
    }

    @Test
    void notGzip() throws IOException {
        Files.writeString(images(), "this is not a gzip file");
        writeLabels(2049, new byte[] {1, 2, 3});
        assertClearError(images(), "not a valid gzip file");
    }

    @Test
    void headerCutShort() throws IOException {
        // A correct magic number, then only two bytes of the four-byte image count.
        gzip(images(), new byte[] {0, 0, 8, 3, 0, 0});
        writeLabels(2049, new byte[] {1, 2, 3});
        assertClearError(images(), "header");
    }

    private void assertClearError(Path file, String problem) {
        IOException e = assertThrows(IOException.class, this::open);
        String msg = e.getMessage();
        assertTrue(msg.contains(file.toString()), "names the file: " + msg);
        assertTrue(msg.contains(problem), "names the problem '" + problem + "': " + msg);
        assertTrue(msg.contains(HINT), "says how to install: " + msg);
    }

    private FashionMnist open() throws IOException {
        FashionMnist ds =
                FashionMnist.builder()
                        .optUsage(Dataset.Usage.TEST)
                        .optDirectory(dir)
                        .optNormalize(0f, 1f)
                        .setSampling(2, false)
                        .build();
        ds.prepare(null);
        return ds;
    }

    private Path images() {
        return dir.resolve("t10k-images-idx3-ubyte.gz");
    }

    private Path labels() {
        return dir.resolve("t10k-labels-idx1-ubyte.gz");
    }

    private void writeImages(int magic, int count, int rows, int cols, int payload)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < payload; i++) {
            out.writeByte(i % 256);
        }
        gzip(images(), bytes.toByteArray());
    }

    private void writeLabels(int magic, byte[] labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(labels.length);
        out.write(labels);
        gzip(labels(), bytes.toByteArray());
    }

    private static void gzip(Path file, byte[] content) throws IOException {
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
    }
}
