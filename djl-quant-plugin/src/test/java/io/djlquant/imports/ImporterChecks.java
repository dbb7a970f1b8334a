package io.djlquant.imports;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The property the importer's fuzz tests check: arbitrary bytes either import or are rejected with
 * a {@link MalformedModelException} that has a message. Any other throwable (including an
 * OutOfMemoryError or a StackOverflowError) escapes and is a finding.
 */
final class ImporterChecks {

    /** The storages under which the fuzzed pickles are decoded (see {@link #storages()}). */
    private static final Map<String, byte[]> STORAGES = storages();

    /** One PyTorch manager for all cases; each case works in its own sub-manager. */
    private static NDManager base;

    private ImporterChecks() {}

    /**
     * Reads {@code file} as an archive and converts every floating tensor to floats.
     *
     * @return true if it was read, false if rejected
     */
    static boolean archiveReadsOrRejects(Path file) throws IOException {
        try {
            for (TorchTensor t : TorchArchive.read(file).values()) {
                if (t.isFloating()) {
                    t.toFloats();
                }
            }
            return true;
        } catch (MalformedModelException e) {
            return rejected(e);
        }
    }

    /**
     * Decodes {@code pickle} as the data.pkl of an archive whose storages are those of {@link
     * #storages()}, and converts every floating tensor to floats.
     *
     * @return the tensors, or null if rejected
     */
    static Map<String, TorchTensor> pickleDecodesOrRejects(byte[] pickle) {
        try {
            Map<String, TorchTensor> tensors =
                    TorchArchive.decode(entries(pickle), allowance(pickle));
            for (TorchTensor t : tensors.values()) {
                if (t.isFloating()) {
                    t.toFloats();
                }
            }
            return tensors;
        } catch (InvalidArchiveException e) {
            rejected(new MalformedModelException(e.getMessage(), e));
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory entries: cannot happen
        }
    }

    /**
     * Decodes {@code pickle} as {@link #pickleDecodesOrRejects}, then detects the layout and builds
     * the network from the float tensors (through the PyTorch engine, as an import does).
     *
     * @return true if a network was built, false if rejected
     */
    static boolean importsOrRejects(byte[] pickle) {
        Map<String, TorchTensor> tensors = pickleDecodesOrRejects(pickle);
        if (tensors == null) {
            return false;
        }
        try (NDManager m = base().newSubManager()) {
            Map<String, NDArray> state = new LinkedHashMap<>();
            for (Map.Entry<String, TorchTensor> e : tensors.entrySet()) {
                if (e.getValue().isFloating()) {
                    state.put(e.getKey(), e.getValue().toNDArray(m));
                }
            }
            TorchvisionImport.build(state, null);
            return true;
        } catch (MalformedModelException e) {
            return rejected(e);
        }
    }

    private static synchronized NDManager base() {
        if (base == null) {
            base = NDManager.newBaseManager("PyTorch");
        }
        return base;
    }

    private static boolean rejected(MalformedModelException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("MalformedModelException without a message", e);
        }
        return false;
    }

    /** What {@link CheckedZip} would allow for an archive of the pickle plus the storages. */
    private static long allowance(byte[] pickle) {
        long size = pickle.length;
        for (byte[] b : STORAGES.values()) {
            size += b.length;
        }
        return CheckedZip.allowance(size);
    }

    private static TorchArchive.Entries entries(byte[] pickle) {
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put("archive/data.pkl", pickle);
        STORAGES.forEach((k, v) -> all.put("archive/data/" + k, v));
        return new TorchArchive.Entries() {
            @Override
            public Set<String> names() {
                return Collections.unmodifiableSet(all.keySet());
            }

            @Override
            public byte[] read(String name) {
                byte[] b = all.get(name);
                if (b == null) {
                    throw new InvalidArchiveException("archive entry " + name + " is missing");
                }
                return b; // the importer never writes to a storage
            }
        };
    }

    /**
     * Storages {@code data/0} to {@code data/99} of 4 KiB each, enough for every tensor of the seed
     * pickles (the largest, in tiny_module's ResNet, has 144 floats). Their bytes are a fixed
     * pattern: the decoding of views, not of values, is under test.
     */
    private static Map<String, byte[]> storages() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (int k = 0; k < 100; k++) {
            byte[] b = new byte[4096];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (i * 37 + k);
            }
            out.put(Integer.toString(k), b);
        }
        return out;
    }

    /** A scratch file for archive inputs (ZipFile needs a file), in memory where possible. */
    static Path scratchFile() throws IOException {
        Path shm = Path.of("/dev/shm");
        Path f =
                Files.isDirectory(shm) && Files.isWritable(shm)
                        ? Files.createTempFile(shm, "importer-fuzz", ".pth")
                        : Files.createTempFile("importer-fuzz", ".pth");
        f.toFile().deleteOnExit();
        return f;
    }
}
