package io.djlquant.format;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of {@link BlockCodec}s. Codecs listed in {@code
 * META-INF/services/io.djlquant.format.BlockCodec} are loaded on first use; more can be added with
 * {@link #register}. Encoding matches a block's exact class, decoding a node's type.
 */
public final class BlockCodecs {

    private static final Map<String, BlockCodec<?>> BY_TYPE = new HashMap<>();
    private static final Map<Class<?>, BlockCodec<?>> BY_CLASS = new HashMap<>();
    private static boolean loaded;

    private BlockCodecs() {}

    /**
     * Registers a codec. Registering another instance of an already registered codec class is a
     * no-op.
     *
     * @param codec the codec
     * @throws IllegalStateException if a different codec already claims its type or block class
     */
    public static synchronized void register(BlockCodec<?> codec) {
        ensureLoaded();
        add(codec);
    }

    private static void add(BlockCodec<?> codec) {
        String type = codec.type();
        Class<?> blockClass = codec.blockClass();
        if (type == null || type.isEmpty() || blockClass == null) {
            throw new IllegalArgumentException(
                    codec.getClass().getName() + " has no type or block class");
        }
        BlockCodec<?> byType = BY_TYPE.get(type);
        BlockCodec<?> byClass = BY_CLASS.get(blockClass);
        if (byType != null && byType.getClass() == codec.getClass() && byClass == byType) {
            return;
        }
        if (byType != null) {
            throw new IllegalStateException(
                    "Block type '"
                            + type
                            + "' is already handled by "
                            + byType.getClass().getName());
        }
        if (byClass != null) {
            throw new IllegalStateException(
                    blockClass.getName()
                            + " is already handled by "
                            + byClass.getClass().getName());
        }
        BY_TYPE.put(type, codec);
        BY_CLASS.put(blockClass, codec);
    }

    private static void ensureLoaded() {
        if (loaded) {
            return;
        }
        loaded = true;
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = BlockCodecs.class.getClassLoader();
        }
        @SuppressWarnings("rawtypes")
        ServiceLoader<BlockCodec> services = ServiceLoader.load(BlockCodec.class, cl);
        for (BlockCodec<?> codec : services) {
            add(codec);
        }
    }

    /**
     * Returns the codec for a node type.
     *
     * @param type the type
     * @return the codec, or {@code null}
     */
    public static synchronized BlockCodec<?> forType(String type) {
        ensureLoaded();
        return BY_TYPE.get(type);
    }

    /**
     * Returns the codec for a block class (exact match).
     *
     * @param blockClass the class
     * @return the codec, or {@code null}
     */
    public static synchronized BlockCodec<?> forBlockClass(Class<?> blockClass) {
        ensureLoaded();
        return BY_CLASS.get(blockClass);
    }

    /**
     * Encodes a block tree into a graph; the root node is named {@code "root"}.
     *
     * @param root the root block
     * @param properties string metadata
     * @return the graph
     * @throws IllegalArgumentException if a block in the tree has no codec
     */
    public static JqGraph encode(Block root, Map<String, String> properties) {
        GraphEncoder encoder = new GraphEncoder();
        JqNode node = encoder.encodeChild("root", root);
        return new JqGraph(node, encoder.tensors(), properties);
    }

    /**
     * Decodes a graph's block tree; arrays of the blocks belong to {@code manager}.
     *
     * @param graph the graph
     * @param manager the manager (normally the model's)
     * @return the root block
     * @throws MalformedModelException if a node has an unknown type or is invalid
     */
    public static Block decode(JqGraph graph, NDManager manager) throws MalformedModelException {
        return new GraphDecoder(graph, manager).decodeChild(graph.getRoot());
    }
}
