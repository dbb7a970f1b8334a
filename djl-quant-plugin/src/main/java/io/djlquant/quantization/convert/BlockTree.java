package io.djlquant.quantization.convert;

import ai.djl.nn.Block;
import ai.djl.util.Pair;
import io.djlquant.quantization.fakequant.FakeQuantizeBase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Walks a block tree in child order, naming each block by its path: the child names from the root
 * joined by "/" (the root is ""). Fake-quant blocks are visited but not entered (their observer is
 * part of them).
 */
public final class BlockTree {

    private BlockTree() {}

    /**
     * Visits every block, parents before children.
     *
     * @param root the root
     * @param visitor receives (path, block)
     */
    public static void visit(Block root, BiConsumer<String, Block> visitor) {
        visit(root, "", visitor);
    }

    private static void visit(Block b, String path, BiConsumer<String, Block> visitor) {
        visitor.accept(path, b);
        if (b instanceof FakeQuantizeBase) {
            return;
        }
        for (Pair<String, Block> child : b.getChildren()) {
            visit(child.getValue(), join(path, child.getKey()), visitor);
        }
    }

    /**
     * Lists the paths of all blocks (useful to write {@link QConfigOverrides#forPath} rules).
     *
     * @param root the root
     * @return path and class name of every block, in visiting order
     */
    public static List<String> paths(Block root) {
        List<String> out = new ArrayList<>();
        visit(
                root,
                (p, b) -> out.add((p.isEmpty() ? "<root>" : p) + " : " + b.getClass().getName()));
        return out;
    }

    /**
     * Finds every fake-quant block owned by the tree (activation and weight fake quants).
     *
     * @param root the root of a QAT tree
     * @return path to fake quant, in visiting order
     */
    public static Map<String, FakeQuantizeBase> fakeQuants(Block root) {
        Map<String, FakeQuantizeBase> out = new LinkedHashMap<>();
        visit(
                root,
                (p, b) -> {
                    if (b instanceof FakeQuantizeBase) {
                        out.put(p, (FakeQuantizeBase) b);
                    }
                });
        return out;
    }

    /**
     * Finds every block of a type.
     *
     * @param <T> the type
     * @param root the root
     * @param type the class
     * @return path to block, in visiting order
     */
    public static <T> Map<String, T> find(Block root, Class<T> type) {
        Map<String, T> out = new LinkedHashMap<>();
        visit(
                root,
                (p, b) -> {
                    if (type.isInstance(b)) {
                        out.put(p, type.cast(b));
                    }
                });
        return out;
    }

    /**
     * Joins a parent path and a child name.
     *
     * @param parent the parent path ("" for the root)
     * @param child the child name
     * @return the child path
     */
    public static String join(String parent, String child) {
        return parent.isEmpty() ? child : parent + "/" + child;
    }

    /**
     * Formats a path for messages.
     *
     * @param path the path
     * @return the path, or "&lt;root&gt;" for the root
     */
    public static String display(String path) {
        return path.isEmpty() ? "<root>" : path;
    }
}
