package io.djlquant.imports;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads every named tensor of a PyTorch zip archive: a TorchScript file from {@code torch.jit.save}
 * (the module tree in {@code data.pkl}, so parameters <em>and</em> buffers such as
 * {@code running_mean}) or a {@code torch.save}d state dict (or whole module).
 *
 * <p>Needed because DJL 0.36 exposes only a TorchScript module's {@code named_parameters()}
 * ({@code PtSymbolBlock.getDirectParameters()}), not its buffers, and cannot read {@code .pth}
 * files at all ({@code NDList.decode} knows DJL, npy/npz and safetensors). The pickle is read as
 * data only (see {@link PickleReader}); tensor bytes come from the archive's {@code data/<key>}
 * entries. The legacy non-zip {@code torch.save} format (PyTorch before 1.6) is not supported.
 */
public final class TorchArchive {

    private static final PickleReader.Global REBUILD_V2 =
            new PickleReader.Global("torch._utils", "_rebuild_tensor_v2");
    private static final PickleReader.Global REBUILD =
            new PickleReader.Global("torch._utils", "_rebuild_tensor");
    private static final PickleReader.Global REBUILD_PARAMETER =
            new PickleReader.Global("torch._utils", "_rebuild_parameter");
    private static final PickleReader.Global ORDERED_DICT =
            new PickleReader.Global("collections", "OrderedDict");

    private TorchArchive() {}

    /**
     * Reads all tensors of an archive, named as in PyTorch's {@code state_dict()}
     * ({@code layer1.0.bn1.running_var}, ...), in the order they appear.
     *
     * @param file a TorchScript {@code .pt} or a zip-format {@code torch.save} file
     * @return the tensors by dotted name
     * @throws IOException if the file cannot be read or is not a PyTorch zip archive
     */
    public static Map<String, TorchTensor> read(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(
                    file + " is not a zip-format PyTorch archive (TorchScript or torch.save of "
                            + "PyTorch >= 1.6); the legacy pickle-only format is not supported",
                    e);
        }
        try (zip) {
            String prefix = archivePrefix(zip, file);
            ByteOrder order = byteOrder(zip, prefix);
            Map<String, ByteBuffer> storages = new HashMap<>();
            PickleReader.Resolver resolver =
                    new PickleReader.Resolver() {
                        @Override
                        public Object persistentLoad(Object pid) {
                            return storage(zip, prefix, order, storages, pid);
                        }

                        @Override
                        public Object reduce(Object callable, Object[] args) {
                            return TorchArchive.reduce(callable, args);
                        }
                    };
            Object root = PickleReader.read(entry(zip, prefix + "data.pkl"), resolver);
            Map<String, TorchTensor> out = new LinkedHashMap<>();
            flatten(root, "", out);
            if (out.isEmpty()) {
                throw new IOException(file + " holds no tensors");
            }
            return out;
        } catch (IllegalArgumentException | ClassCastException e) {
            // a corrupt or unexpected pickle: name the file and the problem
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Tells a TorchScript archive (it holds compiled {@code code/} and {@code constants.pkl}) from
     * a {@code torch.save} file.
     *
     * @param file a PyTorch zip archive
     * @return whether it is TorchScript
     * @throws IOException if the file is not a PyTorch zip archive
     */
    public static boolean isTorchScript(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getEntry(archivePrefix(zip, file) + "constants.pkl") != null;
        } catch (ZipException e) {
            throw new IOException(file + " is not a zip-format PyTorch archive", e);
        }
    }

    /** The single top-level folder that holds data.pkl (its name is arbitrary). */
    private static String archivePrefix(ZipFile zip, Path file) throws IOException {
        List<String> found = new ArrayList<>();
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
            String name = e.nextElement().getName();
            if (name.endsWith("data.pkl")
                    && name.indexOf('/') == name.lastIndexOf('/')
                    && name.endsWith("/data.pkl")) {
                found.add(name.substring(0, name.length() - "data.pkl".length()));
            }
        }
        if (found.size() != 1) {
            throw new IOException(
                    file + " is not a PyTorch archive: expected one <folder>/data.pkl, found "
                            + found);
        }
        return found.get(0);
    }

    /** Archives from PyTorch >= 1.10 may say their byte order; older ones are little-endian. */
    private static ByteOrder byteOrder(ZipFile zip, String prefix) throws IOException {
        ZipEntry e = zip.getEntry(prefix + "byteorder");
        if (e == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String s = new String(entry(zip, prefix + "byteorder"), StandardCharsets.US_ASCII).trim();
        if (s.equals("little")) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (s.equals("big")) {
            return ByteOrder.BIG_ENDIAN;
        }
        throw new IOException("unknown byteorder '" + s + "' in archive");
    }

    private static byte[] entry(ZipFile zip, String name) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new IOException("archive entry " + name + " is missing");
        }
        try (InputStream is = zip.getInputStream(e)) {
            return is.readAllBytes();
        }
    }

    /** Resolves a persistent id ('storage', torch.XStorage, key, location, numel). */
    private static Object storage(
            ZipFile zip, String prefix, ByteOrder order, Map<String, ByteBuffer> cache, Object pid) {
        if (!(pid instanceof Object[]) || ((Object[]) pid).length < 5
                || !"storage".equals(((Object[]) pid)[0])
                || !(((Object[]) pid)[1] instanceof PickleReader.Global)) {
            throw new IllegalArgumentException("unexpected persistent id in data.pkl");
        }
        Object[] t = (Object[]) pid;
        TorchTensor.Kind kind = TorchTensor.Kind.ofStorage(((PickleReader.Global) t[1]).name());
        String key = String.valueOf(t[2]);
        long numel = (Long) t[4];
        ByteBuffer bytes =
                cache.computeIfAbsent(
                        key,
                        k -> {
                            try {
                                return ByteBuffer.wrap(entry(zip, prefix + "data/" + k)).order(order);
                            } catch (IOException e) {
                                throw new IllegalArgumentException(e.getMessage(), e);
                            }
                        });
        if (bytes.capacity() < numel * kind.bytes) {
            throw new IllegalArgumentException(
                    "storage " + key + " has " + bytes.capacity() + " bytes, needs "
                            + numel * kind.bytes);
        }
        return new Storage(kind, bytes);
    }

    /** A storage's element type and bytes, as returned for a persistent id. */
    private record Storage(TorchTensor.Kind kind, ByteBuffer bytes) {}

    private static Object reduce(Object callable, Object[] args) {
        if (REBUILD_V2.equals(callable) || REBUILD.equals(callable)) {
            if (args.length < 4 || !(args[0] instanceof Storage)) {
                throw new IllegalArgumentException("malformed " + callable + " arguments");
            }
            Storage s = (Storage) args[0];
            return new TorchTensor(s.kind(), s.bytes(), (Long) args[1], longs(args[2]), longs(args[3]));
        }
        if (REBUILD_PARAMETER.equals(callable)) {
            return args[0];
        }
        if (ORDERED_DICT.equals(callable)) {
            return new LinkedHashMap<>();
        }
        if (callable instanceof PickleReader.Global) {
            return new PickleReader.PyObject((PickleReader.Global) callable, args);
        }
        throw new IllegalArgumentException("REDUCE of a non-global callable");
    }

    private static long[] longs(Object tuple) {
        if (!(tuple instanceof Object[])) {
            throw new IllegalArgumentException("tensor size/stride is not a tuple");
        }
        Object[] t = (Object[]) tuple;
        long[] out = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            out[i] = (Long) t[i];
        }
        return out;
    }

    /**
     * Walks dicts and module objects, joining keys with dots. The {@code _parameters},
     * {@code _buffers} and {@code _modules} levels of a pickled nn.Module add no name, as in
     * {@code state_dict()}.
     */
    private static void flatten(Object o, String prefix, Map<String, TorchTensor> out) {
        if (o instanceof TorchTensor) {
            out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), (TorchTensor) o);
        } else if (o instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    continue;
                }
                String k = (String) e.getKey();
                boolean hidden = k.equals("_parameters") || k.equals("_buffers") || k.equals("_modules");
                flatten(e.getValue(), hidden ? prefix : prefix + k + ".", out);
            }
        } else if (o instanceof PickleReader.PyObject) {
            flatten(((PickleReader.PyObject) o).state, prefix, out);
        }
    }
}
