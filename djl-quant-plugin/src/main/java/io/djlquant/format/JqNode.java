package io.djlquant.format;

import ai.djl.MalformedModelException;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One block of a {@code .jq} graph: its codec type, a name, a JSON config, references from local
 * keys (such as {@code "weight"}) to file-wide tensor names, and child nodes.
 *
 * <p>Config getters throw {@link MalformedModelException} naming the node and key when a value is
 * missing or has the wrong kind, because the config comes from an untrusted file.
 */
public final class JqNode {

    private final String type;
    private String name;
    private final JsonObject config;
    private final Map<String, String> tensors = new LinkedHashMap<>();
    private final List<JqNode> children = new ArrayList<>();

    /**
     * Creates an empty unnamed node (the codec registry names it when encoding).
     *
     * @param type the codec type (non-empty)
     */
    public JqNode(String type) {
        this(type, "");
    }

    /**
     * Creates an empty node.
     *
     * @param type the codec type (non-empty)
     * @param name the block name (may be empty)
     */
    public JqNode(String type, String name) {
        this(type, name, new JsonObject());
    }

    JqNode(String type, String name, JsonObject config) {
        if (type == null || type.isEmpty()) {
            throw new IllegalArgumentException("Node type must not be empty");
        }
        this.type = type;
        this.name = name == null ? "" : name;
        this.config = config;
    }

    /**
     * Returns the codec type.
     *
     * @return the type
     */
    public String getType() {
        return type;
    }

    /**
     * Returns the block name.
     *
     * @return the name, possibly empty
     */
    public String getName() {
        return name;
    }

    void setName(String name) {
        this.name = name == null ? "" : name;
    }

    /**
     * Returns a copy of the config object.
     *
     * @return the config
     */
    public JsonObject getConfig() {
        return config.deepCopy();
    }

    JsonObject configView() {
        return config;
    }

    /**
     * Sets a config value.
     *
     * @param key the key
     * @param value the value
     * @return this node
     */
    public JqNode put(String key, String value) {
        config.addProperty(key, Objects.requireNonNull(value, key));
        return this;
    }

    /**
     * Sets a config value; floating-point values must be finite.
     *
     * @param key the key
     * @param value the value
     * @return this node
     */
    public JqNode put(String key, Number value) {
        config.add(key, number(key, value));
        return this;
    }

    /**
     * Sets a config value.
     *
     * @param key the key
     * @param value the value
     * @return this node
     */
    public JqNode put(String key, boolean value) {
        config.addProperty(key, value);
        return this;
    }

    /**
     * Sets an int array config value.
     *
     * @param key the key
     * @param values the values
     * @return this node
     */
    public JqNode put(String key, int[] values) {
        JsonArray array = new JsonArray(values.length);
        for (int v : values) {
            array.add(v);
        }
        config.add(key, array);
        return this;
    }

    /**
     * Sets a long array config value.
     *
     * @param key the key
     * @param values the values
     * @return this node
     */
    public JqNode put(String key, long[] values) {
        JsonArray array = new JsonArray(values.length);
        for (long v : values) {
            array.add(v);
        }
        config.add(key, array);
        return this;
    }

    /**
     * Sets a float array config value (finite values; large per-channel arrays belong in tensors).
     *
     * @param key the key
     * @param values the values
     * @return this node
     */
    public JqNode put(String key, float[] values) {
        JsonArray array = new JsonArray(values.length);
        for (float v : values) {
            array.add(number(key, v));
        }
        config.add(key, array);
        return this;
    }

    private static JsonPrimitive number(String key, Number value) {
        double d = value.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("Config '" + key + "' must be finite, got " + value);
        }
        if (value instanceof Float || value instanceof Double) {
            // Keep the shortest decimal that round-trips, so a read-back node compares equal.
            return new JsonPrimitive(new BigDecimal(value.toString()));
        }
        return new JsonPrimitive(value);
    }

    /**
     * Returns whether the config has {@code key}.
     *
     * @param key the key
     * @return {@code true} if present
     */
    public boolean hasConfig(String key) {
        return config.has(key);
    }

    /**
     * Returns a string config value.
     *
     * @param key the key
     * @return the value
     * @throws MalformedModelException if missing or not a string
     */
    public String getString(String key) throws MalformedModelException {
        JsonElement e = require(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw bad(key, "a string");
        }
        return e.getAsString();
    }

    /**
     * Returns a boolean config value.
     *
     * @param key the key
     * @return the value
     * @throws MalformedModelException if missing or not a boolean
     */
    public boolean getBoolean(String key) throws MalformedModelException {
        JsonElement e = require(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw bad(key, "a boolean");
        }
        return e.getAsBoolean();
    }

    /**
     * Returns an int config value.
     *
     * @param key the key
     * @return the value
     * @throws MalformedModelException if missing or not an integer in int range
     */
    public int getInt(String key) throws MalformedModelException {
        long v = integral(key, require(key), Integer.MIN_VALUE, Integer.MAX_VALUE);
        return (int) v;
    }

    /**
     * Returns a long config value.
     *
     * @param key the key
     * @return the value
     * @throws MalformedModelException if missing or not an integer in long range
     */
    public long getLong(String key) throws MalformedModelException {
        return integral(key, require(key), Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * Returns a finite float config value.
     *
     * @param key the key
     * @return the value
     * @throws MalformedModelException if missing, not a number or not a finite float
     */
    public float getFloat(String key) throws MalformedModelException {
        return floating(key, require(key));
    }

    /**
     * Returns a finite double config value.
     *
     * @param key the key
     * @return the value
     * @throws MalformedModelException if missing, not a number or not finite
     */
    public double getDouble(String key) throws MalformedModelException {
        JsonElement e = require(key);
        double d = numberOf(key, e).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw bad(key, "a finite number");
        }
        return d;
    }

    /**
     * Returns an int array config value.
     *
     * @param key the key
     * @return the values
     * @throws MalformedModelException if missing or not an array of ints
     */
    public int[] getIntArray(String key) throws MalformedModelException {
        JsonArray array = requireArray(key);
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) integral(key, array.get(i), Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        return out;
    }

    /**
     * Returns a long array config value.
     *
     * @param key the key
     * @return the values
     * @throws MalformedModelException if missing or not an array of longs
     */
    public long[] getLongArray(String key) throws MalformedModelException {
        JsonArray array = requireArray(key);
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integral(key, array.get(i), Long.MIN_VALUE, Long.MAX_VALUE);
        }
        return out;
    }

    /**
     * Returns a float array config value.
     *
     * @param key the key
     * @return the values
     * @throws MalformedModelException if missing or not an array of finite floats
     */
    public float[] getFloatArray(String key) throws MalformedModelException {
        JsonArray array = requireArray(key);
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = floating(key, array.get(i));
        }
        return out;
    }

    private JsonElement require(String key) throws MalformedModelException {
        JsonElement e = config.get(key);
        if (e == null || e.isJsonNull()) {
            throw new MalformedModelException(where() + ": config '" + key + "' is missing");
        }
        return e;
    }

    private JsonArray requireArray(String key) throws MalformedModelException {
        JsonElement e = require(key);
        if (!e.isJsonArray()) {
            throw bad(key, "an array");
        }
        return e.getAsJsonArray();
    }

    private Number numberOf(String key, JsonElement e) throws MalformedModelException {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(key, "a number");
        }
        return e.getAsNumber();
    }

    private long integral(String key, JsonElement e, long min, long max)
            throws MalformedModelException {
        Number n = numberOf(key, e);
        try {
            // BigDecimal parses the literal exactly, so 1e400 or 2.5 cannot sneak through.
            BigDecimal d = new BigDecimal(n.toString());
            long v = d.longValueExact();
            if (v < min || v > max) {
                throw bad(key, "an integer in [" + min + ", " + max + "]");
            }
            return v;
        } catch (ArithmeticException | NumberFormatException ex) {
            throw bad(key, "an integer");
        }
    }

    private float floating(String key, JsonElement e) throws MalformedModelException {
        Number n = numberOf(key, e);
        float f;
        try {
            f = Float.parseFloat(n.toString());
        } catch (NumberFormatException ex) {
            throw bad(key, "a number");
        }
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            throw bad(key, "a finite float");
        }
        return f;
    }

    private MalformedModelException bad(String key, String expected) {
        return new MalformedModelException(where() + ": config '" + key + "' must be " + expected);
    }

    private String where() {
        return "Node '" + name + "' (" + type + ")";
    }

    /**
     * Records that local {@code key} refers to the file-wide tensor {@code tensorName}. Codecs
     * normally call {@link TensorSink#putTensor} instead.
     *
     * @param key the local key, such as {@code "weight"}
     * @param tensorName the file-wide tensor name
     * @return this node
     */
    public JqNode putTensor(String key, String tensorName) {
        if (key == null || key.isEmpty() || tensorName == null || tensorName.isEmpty()) {
            throw new IllegalArgumentException("Tensor key and name must not be empty");
        }
        tensors.put(key, tensorName);
        return this;
    }

    /**
     * Returns whether the node references a tensor under {@code key}.
     *
     * @param key the local key
     * @return {@code true} if present
     */
    public boolean hasTensor(String key) {
        return tensors.containsKey(key);
    }

    /**
     * Returns the file-wide tensor name for {@code key}.
     *
     * @param key the local key
     * @return the tensor name
     * @throws MalformedModelException if the node has no such tensor
     */
    public String getTensorName(String key) throws MalformedModelException {
        String t = tensors.get(key);
        if (t == null) {
            throw new MalformedModelException(where() + ": tensor '" + key + "' is missing");
        }
        return t;
    }

    /**
     * Returns the tensor references (local key to file-wide name), in insertion order.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> getTensors() {
        return Collections.unmodifiableMap(tensors);
    }

    /**
     * Appends a child node.
     *
     * @param child the child
     * @return this node
     */
    public JqNode addChild(JqNode child) {
        children.add(Objects.requireNonNull(child));
        return this;
    }

    /**
     * Returns the child nodes in order.
     *
     * @return an unmodifiable list
     */
    public List<JqNode> getChildren() {
        return Collections.unmodifiableList(children);
    }

    /** Nodes are equal if type, name, config, tensor references and children are equal. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof JqNode)) {
            return false;
        }
        JqNode other = (JqNode) o;
        return type.equals(other.type)
                && name.equals(other.name)
                && config.equals(other.config)
                && tensors.equals(other.tensors)
                && children.equals(other.children);
    }

    /** {@inheritDoc} */
    @Override
    public int hashCode() {
        return Objects.hash(type, name, config, tensors, children);
    }

    /** {@inheritDoc} */
    @Override
    public String toString() {
        return "JqNode(" + type + ", '" + name + "', " + children.size() + " children)";
    }
}
