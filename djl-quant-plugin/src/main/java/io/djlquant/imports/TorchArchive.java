package io.djlquant.imports;

import ai.djl.MalformedModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads every named tensor of a PyTorch zip archive: a TorchScript file from {@code torch.jit.save}
 * (the module tree in {@code data.pkl}, so parameters <em>and</em> buffers such as {@code
 * running_mean}) or a {@code torch.save}d state dict (or whole module).
 *
 * <p>Needed because DJL 0.36 exposes only a TorchScript module's {@code named_parameters()} ({@code
 * PtSymbolBlock.getDirectParameters()}), not its buffers, and cannot read {@code .pth} files at all
 * ({@code NDList.decode} knows DJL, npy/npz and safetensors). The legacy non-zip {@code torch.save}
 * format (PyTorch before 1.6) is not supported.
 *
 * <p>The files come from the internet, so the reader treats them as hostile: the zip is checked by
 * {@link CheckedZip} (names, duplicates, zip bombs); the pickle is read as data only by {@link
 * PickleReader}, with only the names a state dict, a pickled torchvision module or a TorchScript
 * module tree needs ({@link #global}); tensor views are checked against their storage ({@link
 * TorchTensor}); the tensors may decode to at most the archive's byte allowance; nesting depth,
 * shared structure and cycles are bounded when the tensors are named. Every violation is a {@link
 * MalformedModelException} naming the file and the problem.
 */
public final class TorchArchive {

    /** The entries of an archive, read with their bounds checked. */
    interface Entries {
        /**
         * @return every entry name
         */
        Set<String> names();

        /**
         * @param name an entry name
         * @return its bytes
         * @throws IOException if reading fails
         * @throws InvalidArchiveException if the entry is missing or corrupt
         */
        byte[] read(String name) throws IOException;
    }

    /** Deeper dict / module nesting than any real model (a ResNet module tree is ~10 deep). */
    static final int MAX_DEPTH = 64;

    /** Longer tensor names than any real model's ({@code layer4.1.downsample.1.running_var}). */
    static final int MAX_NAME = 1024;

    private static final String UTILS = "torch._utils";
    private static final PickleReader.Global REBUILD_V2 =
            new PickleReader.Global(UTILS, "_rebuild_tensor_v2");
    private static final PickleReader.Global REBUILD =
            new PickleReader.Global(UTILS, "_rebuild_tensor");
    private static final PickleReader.Global REBUILD_PARAMETER =
            new PickleReader.Global(UTILS, "_rebuild_parameter");
    private static final PickleReader.Global ORDERED_DICT =
            new PickleReader.Global("collections", "OrderedDict");

    /** {@code nn.Module._non_persistent_buffers_set}; pickled as {@code set([...])}. */
    private static final Set<PickleReader.Global> SETS =
            Set.of(
                    new PickleReader.Global("builtins", "set"),
                    new PickleReader.Global("__builtin__", "set"));

    /**
     * Classes of module objects: TorchScript's {@code __torch__.*} and the eager torch.nn /
     * torchvision modules of a whole pickled network. They are only ever recorded as names.
     */
    private static final Pattern MODULE_CLASS =
            Pattern.compile(
                    "(__torch__(\\.\\w+)*"
                            + "|torch\\.nn\\.modules(\\.\\w+)*"
                            + "|torchvision\\.models(\\.\\w+)*)");

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_]\\w*");

    /** Storage keys PyTorch writes (decimal numbers); anything else would not name data/<key>. */
    private static final Pattern STORAGE_KEY = Pattern.compile("\\w{1,64}");

    private TorchArchive() {}

    /**
     * Reads all tensors of an archive, named as in PyTorch's {@code state_dict()} ({@code
     * layer1.0.bn1.running_var}, ...), in the order they appear.
     *
     * @param file a TorchScript {@code .pt} or a zip-format {@code torch.save} file
     * @return the tensors by dotted name
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if it is not a PyTorch zip archive, is corrupt or breaks one
     *     of the reader's bounds
     */
    public static Map<String, TorchTensor> read(Path file)
            throws IOException, MalformedModelException {
        try (CheckedZip zip = CheckedZip.open(file)) {
            return decode(zip, zip.allowance());
        } catch (InvalidArchiveException e) {
            throw new MalformedModelException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Tells a TorchScript archive (it holds compiled {@code code/} and {@code constants.pkl}) from
     * a {@code torch.save} file.
     *
     * @param file a PyTorch zip archive
     * @return whether it is TorchScript
     * @throws IOException if the file cannot be read
     * @throws MalformedModelException if it is not a PyTorch zip archive
     */
    public static boolean isTorchScript(Path file) throws IOException, MalformedModelException {
        try (CheckedZip zip = CheckedZip.open(file)) {
            return zip.names().contains(archivePrefix(zip.names()) + "constants.pkl");
        } catch (InvalidArchiveException e) {
            throw new MalformedModelException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes the tensors of an archive's entries.
     *
     * @param entries the archive's entries
     * @param allowance the most bytes the tensors may decode to (as float32, 4 bytes each)
     * @return the tensors by dotted name
     * @throws IOException if reading an entry fails
     * @throws InvalidArchiveException naming the problem if the content is malformed
     */
    static Map<String, TorchTensor> decode(Entries entries, long allowance) throws IOException {
        String prefix = archivePrefix(entries.names());
        ByteOrder order = byteOrder(entries, prefix);
        byte[] pickle = entries.read(prefix + "data.pkl");
        Decoder decoder = new Decoder(entries, prefix, order, pickle.length);
        Object root;
        try {
            root = PickleReader.read(pickle, decoder);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        new Namer(out, allowance).flatten(root, "", 0);
        if (out.isEmpty()) {
            throw new InvalidArchiveException("the archive holds no tensors");
        }
        return out;
    }

    /** The single top-level folder that holds data.pkl (its name is arbitrary). */
    private static String archivePrefix(Set<String> names) {
        List<String> found = new ArrayList<>();
        for (String name : names) {
            if (name.endsWith("/data.pkl")
                    && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                found.add(name.substring(0, name.length() - "data.pkl".length()));
            }
        }
        if (found.size() != 1) {
            throw new InvalidArchiveException(
                    "not a PyTorch archive: expected one <folder>/data.pkl,"
                            + " found "
                            + found.size());
        }
        return found.get(0);
    }

    /** Archives from PyTorch >= 1.10 may say their byte order; older ones are little-endian. */
    private static ByteOrder byteOrder(Entries entries, String prefix) throws IOException {
        if (!entries.names().contains(prefix + "byteorder")) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String s = new String(entries.read(prefix + "byteorder"), StandardCharsets.US_ASCII).trim();
        if (s.equals("little")) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (s.equals("big")) {
            return ByteOrder.BIG_ENDIAN;
        }
        throw new InvalidArchiveException("unknown byteorder " + InvalidArchiveException.quote(s));
    }

    /**
     * A Python set (a module's {@code _non_persistent_buffers_set}): neither a list nor a dict, so
     * the pickle cannot append to it or set items in it, and its members are never named.
     */
    private record PySet(List<?> items) {}

    private static List<?> nonNull(List<?> items) {
        for (Object o : items) {
            if (o == null) {
                throw new InvalidArchiveException("data.pkl puts None into a set of buffer names");
            }
        }
        return items;
    }

    /** A storage's element type and bytes, as returned for a persistent id. */
    private record Storage(TorchTensor.Kind kind, ByteBuffer bytes) {}

    /** The resolver: which names are allowed and what they build. */
    private static final class Decoder implements PickleReader.Resolver {
        private final Entries entries;
        private final String prefix;
        private final ByteOrder order;
        private final Map<String, ByteBuffer> storages = new HashMap<>();

        /**
         * Tensor rebuilds the pickle may still make. A rebuild takes ~60 bytes in a real pickle but
         * only 5 when its arguments come from the memo, and each holds up to two 64-long arrays, so
         * an unbounded count would turn a pickle into ~200x its size in objects.
         */
        private int rebuilds;

        Decoder(Entries entries, String prefix, ByteOrder order, int pickleBytes) {
            this.entries = entries;
            this.prefix = prefix;
            this.order = order;
            this.rebuilds = pickleBytes / 16 + 16;
        }

        @Override
        public Object global(String module, String name) {
            PickleReader.Global g = new PickleReader.Global(module, name);
            boolean allowed =
                    g.equals(REBUILD_V2)
                            || g.equals(REBUILD)
                            || g.equals(REBUILD_PARAMETER)
                            || g.equals(ORDERED_DICT)
                            || SETS.contains(g)
                            || (module.equals("torch") && name.endsWith("Storage"))
                            || (MODULE_CLASS.matcher(module).matches()
                                    && IDENTIFIER.matcher(name).matches());
            if (!allowed) {
                throw new InvalidArchiveException(
                        "data.pkl references "
                                + InvalidArchiveException.quote(module + "." + name)
                                + ", which a PyTorch model file does not need; refused");
            }
            return g;
        }

        /** Resolves a persistent id ('storage', torch.XStorage, key, location, numel). */
        @Override
        public Object persistentLoad(Object pid) {
            if (!(pid instanceof Object[])
                    || ((Object[]) pid).length != 5
                    || !"storage".equals(((Object[]) pid)[0])
                    || !(((Object[]) pid)[1] instanceof PickleReader.Global)
                    || !(((Object[]) pid)[2] instanceof String)
                    || !(((Object[]) pid)[4] instanceof Long)) {
                throw new InvalidArchiveException("unexpected persistent id in data.pkl");
            }
            Object[] t = (Object[]) pid;
            PickleReader.Global type = (PickleReader.Global) t[1];
            if (!type.module().equals("torch")) {
                throw new InvalidArchiveException("persistent id of " + type + " is not a storage");
            }
            TorchTensor.Kind kind = TorchTensor.Kind.ofStorage(type.name());
            String key = (String) t[2];
            if (!STORAGE_KEY.matcher(key).matches()) {
                throw new InvalidArchiveException(
                        "storage key "
                                + InvalidArchiveException.quote(key)
                                + " is not a plain name");
            }
            long numel = (Long) t[4];
            ByteBuffer bytes = storages.get(key);
            if (bytes == null) {
                try {
                    bytes = ByteBuffer.wrap(entries.read(prefix + "data/" + key)).order(order);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                storages.put(key, bytes);
            }
            if (numel < 0 || numel > bytes.capacity() / kind.bytes) {
                throw new InvalidArchiveException(
                        "storage "
                                + key
                                + " declares "
                                + numel
                                + " "
                                + kind
                                + " elements but holds "
                                + bytes.capacity()
                                + " bytes");
            }
            return new Storage(kind, bytes);
        }

        @Override
        public Object reduce(Object callable, Object[] args) {
            if (!(callable instanceof PickleReader.Global)) {
                // None or a dict on the stack: Set.contains(null) would throw, not refuse
                throw new InvalidArchiveException("data.pkl calls a non-global; refused");
            }
            if (REBUILD_V2.equals(callable) || REBUILD.equals(callable)) {
                if (args.length < 4
                        || !(args[0] instanceof Storage)
                        || !(args[1] instanceof Long)) {
                    throw new InvalidArchiveException("malformed " + callable + " arguments");
                }
                if (--rebuilds < 0) {
                    throw new InvalidArchiveException(
                            "data.pkl rebuilds more tensors than its size allows (memo abuse?)");
                }
                Storage s = (Storage) args[0];
                return new TorchTensor(
                        s.kind(), s.bytes(), (Long) args[1], longs(args[2]), longs(args[3]));
            }
            if (REBUILD_PARAMETER.equals(callable)) {
                if (args.length < 1 || !(args[0] instanceof TorchTensor)) {
                    throw new InvalidArchiveException("malformed " + callable + " arguments");
                }
                return args[0];
            }
            if (ORDERED_DICT.equals(callable) && args.length == 0) {
                return new LinkedHashMap<>();
            }
            if (SETS.contains(callable) && args.length == 1 && args[0] instanceof List) {
                return new PySet(List.copyOf(nonNull((List<?>) args[0])));
            }
            throw new InvalidArchiveException(
                    "data.pkl calls " + callable + " with " + args.length + " arguments; refused");
        }

        @Override
        public Object newObject(Object cls, Object[] args) {
            if (!(cls instanceof PickleReader.Global)
                    || !MODULE_CLASS.matcher(((PickleReader.Global) cls).module()).matches()
                    || args.length != 0) {
                throw new InvalidArchiveException(
                        "data.pkl creates an object of "
                                + (cls instanceof PickleReader.Global ? cls : "a non-class")
                                + ", which is not a module class; refused");
            }
            return new PickleReader.PyObject((PickleReader.Global) cls, args);
        }

        @Override
        public void build(Object target, Object state) {
            if (target instanceof PickleReader.PyObject
                    && ((PickleReader.PyObject) target).state == null) {
                ((PickleReader.PyObject) target).state = state;
            } else if (!(target instanceof LinkedHashMap)) {
                // BUILD on an OrderedDict sets attributes (_metadata), not items: ignored
                throw new InvalidArchiveException(
                        "data.pkl BUILDs an object that is not a fresh"
                                + " module or an OrderedDict; refused");
            }
        }

        private static long[] longs(Object tuple) {
            if (!(tuple instanceof Object[])) {
                throw new InvalidArchiveException("tensor size/stride is not a tuple");
            }
            Object[] t = (Object[]) tuple;
            long[] out = new long[t.length];
            for (int i = 0; i < t.length; i++) {
                if (!(t[i] instanceof Long)) {
                    throw new InvalidArchiveException("tensor size/stride holds a non-integer");
                }
                out[i] = (Long) t[i];
            }
            return out;
        }
    }

    /**
     * Walks dicts and module objects, joining keys with dots. The {@code _parameters}, {@code
     * _buffers} and {@code _modules} levels of a pickled nn.Module add no name, as in {@code
     * state_dict()}. Depth is bounded, a cycle is refused, and a non-empty dict or module reached a
     * second time (memo references) is refused, so the walk visits each container once and cannot
     * become exponential. Names are at most {@link #MAX_NAME} characters, and every named tensor is
     * charged its float32 size against the allowance: one tensor (or one storage) named a thousand
     * times through memo references would be copied a thousand times.
     */
    private static final class Namer {
        private final Map<String, TorchTensor> out;

        /** Float32 bytes the named tensors may still decode to. */
        private long allowance;

        private final Set<Object> path = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());

        Namer(Map<String, TorchTensor> out, long allowance) {
            this.out = out;
            this.allowance = allowance;
        }

        void flatten(Object o, String prefix, int depth) {
            if (o instanceof TorchTensor) {
                String name = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
                if (out.put(name, (TorchTensor) o) != null) {
                    throw new InvalidArchiveException(
                            "tensor name "
                                    + InvalidArchiveException.quote(name)
                                    + " appears twice");
                }
                long decoded = 4 * ((TorchTensor) o).elementCount(); // < 2^33: no overflow
                if (decoded > allowance) {
                    throw new InvalidArchiveException(
                            "the tensors decode to more than "
                                    + CheckedZip.MAX_EXPANSION
                                    + "x the file size (views sharing one storage?)");
                }
                allowance -= decoded;
                return;
            }
            Object container = o instanceof PickleReader.PyObject ? o : o instanceof Map ? o : null;
            if (container == null) {
                return;
            }
            if (depth >= MAX_DEPTH) {
                throw new InvalidArchiveException(
                        "data.pkl nests dicts/modules deeper than " + MAX_DEPTH);
            }
            if (!path.add(container)) {
                throw new InvalidArchiveException("data.pkl holds a cycle of dicts/modules");
            }
            boolean empty =
                    o instanceof Map
                            ? ((Map<?, ?>) o).isEmpty()
                            : ((PickleReader.PyObject) o).state == null;
            if (!seen.add(container) && !empty) {
                // a real state dict or module tree names each tensor once; a dict reachable twice
                // (memo abuse) would multiply names exponentially
                throw new InvalidArchiveException(
                        "data.pkl reaches the same dict/module twice (at "
                                + InvalidArchiveException.quote(prefix)
                                + ")");
            }
            if (o instanceof PickleReader.PyObject) {
                flatten(((PickleReader.PyObject) o).state, prefix, depth + 1);
            } else {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                    if (!(e.getKey() instanceof String)) {
                        continue;
                    }
                    String k = (String) e.getKey();
                    boolean hidden =
                            k.equals("_parameters") || k.equals("_buffers") || k.equals("_modules");
                    if (!hidden && prefix.length() + k.length() >= MAX_NAME) {
                        throw new InvalidArchiveException(
                                "tensor name longer than "
                                        + MAX_NAME
                                        + " characters at "
                                        + InvalidArchiveException.quote(prefix));
                    }
                    flatten(e.getValue(), hidden ? prefix : prefix + k + ".", depth + 1);
                }
            }
            path.remove(container);
        }
    }
}
