package io.djlquant.format;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The content of a {@code .jq} file: the root node of the block tree, the tensors its nodes
 * reference, and free-form string properties (model metadata).
 */
public final class JqGraph {

    private final JqNode root;
    private final Map<String, JqTensor> tensors;
    private final Map<String, String> properties;

    /**
     * Creates a graph and checks that it is consistent.
     *
     * @param root the root node
     * @param tensors the tensors by name (each key must equal its tensor's name)
     * @param properties string metadata, or {@code null} for none
     * @throws IllegalArgumentException if a node references a missing tensor, a tensor is not
     *     referenced, or a key disagrees with its tensor's name
     */
    public JqGraph(JqNode root, Map<String, JqTensor> tensors, Map<String, String> properties) {
        this.root = Objects.requireNonNull(root, "root");
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.properties =
                Collections.unmodifiableMap(
                        properties == null
                                ? new LinkedHashMap<>()
                                : new LinkedHashMap<>(properties));
        String problem = findProblem(root, this.tensors);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Returns a description of the first inconsistency, or {@code null} if there is none. */
    static String findProblem(JqNode root, Map<String, JqTensor> tensors) {
        for (Map.Entry<String, JqTensor> e : tensors.entrySet()) {
            if (!e.getKey().equals(e.getValue().getName())) {
                return "Tensor key '"
                        + e.getKey()
                        + "' differs from its name '"
                        + e.getValue().getName()
                        + "'";
            }
        }
        Set<String> referenced = new HashSet<>();
        Deque<JqNode> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            JqNode node = pending.pop();
            for (Map.Entry<String, String> ref : node.getTensors().entrySet()) {
                if (!tensors.containsKey(ref.getValue())) {
                    return "Node '"
                            + node.getName()
                            + "' ("
                            + node.getType()
                            + ") references"
                            + " missing tensor '"
                            + ref.getValue()
                            + "' as '"
                            + ref.getKey()
                            + "'";
                }
                referenced.add(ref.getValue());
            }
            node.getChildren().forEach(pending::push);
        }
        for (String name : tensors.keySet()) {
            if (!referenced.contains(name)) {
                return "Tensor '" + name + "' is not referenced by any node";
            }
        }
        return null;
    }

    /**
     * Returns the root node.
     *
     * @return the root
     */
    public JqNode getRoot() {
        return root;
    }

    /**
     * Returns the tensors by name.
     *
     * @return an unmodifiable map in file order
     */
    public Map<String, JqTensor> getTensors() {
        return tensors;
    }

    /**
     * Returns a tensor by its file-wide name.
     *
     * @param name the name
     * @return the tensor, or {@code null}
     */
    public JqTensor getTensor(String name) {
        return tensors.get(name);
    }

    /**
     * Returns the string properties.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> getProperties() {
        return properties;
    }

    /** Graphs are equal if root, tensors and properties are equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof JqGraph)) {
            return false;
        }
        JqGraph other = (JqGraph) o;
        return root.equals(other.root)
                && tensors.equals(other.tensors)
                && properties.equals(other.properties);
    }

    /** {@inheritDoc} */
    @Override
    public int hashCode() {
        return Objects.hash(root, tensors, properties);
    }
}
