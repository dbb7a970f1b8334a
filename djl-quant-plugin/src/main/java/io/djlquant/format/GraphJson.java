package io.djlquant.format;

import ai.djl.MalformedModelException;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Converts the block tree and properties to the JSON of a {@code .jq} file and back, strictly. */
final class GraphJson {

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final Pattern LOCATION = Pattern.compile("at line \\d+ column \\d+");
    private static final Set<String> GRAPH_KEYS = Set.of("root", "properties");
    private static final Set<String> NODE_KEYS =
            Set.of("type", "name", "config", "tensors", "children");

    private GraphJson() {}

    /** The parsed JSON part of a file. */
    static final class Parsed {
        final JqNode root;
        final Map<String, String> properties;

        Parsed(JqNode root, Map<String, String> properties) {
            this.root = root;
            this.properties = properties;
        }
    }

    static String toJson(JqGraph graph) {
        JsonObject top = new JsonObject();
        top.add("root", nodeToJson(graph.getRoot()));
        JsonObject props = new JsonObject();
        graph.getProperties().forEach(props::addProperty);
        top.add("properties", props);
        return GSON.toJson(top);
    }

    private static JsonObject nodeToJson(JqNode node) {
        JsonObject o = new JsonObject();
        o.addProperty("type", node.getType());
        o.addProperty("name", node.getName());
        o.add("config", node.configView().deepCopy());
        JsonObject tensors = new JsonObject();
        node.getTensors().forEach(tensors::addProperty);
        o.add("tensors", tensors);
        JsonArray children = new JsonArray();
        for (JqNode child : node.getChildren()) {
            children.add(nodeToJson(child));
        }
        o.add("children", children);
        return o;
    }

    static Parsed fromJson(String json) throws MalformedModelException {
        checkDepth(json);
        JsonElement top;
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            top = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new MalformedModelException("JSON graph has trailing data");
            }
        } catch (JsonParseException | IllegalStateException | IOException e) {
            throw new MalformedModelException("JSON graph is not valid JSON" + location(e), e);
        }
        if (!top.isJsonObject()) {
            throw new MalformedModelException("JSON graph must be an object");
        }
        JsonObject o = top.getAsJsonObject();
        checkKeys(o, GRAPH_KEYS, "JSON graph");
        JsonElement root = o.get("root");
        if (root == null) {
            throw new MalformedModelException("JSON graph has no 'root' node");
        }
        Map<String, String> properties = stringMap(o.get("properties"), "JSON graph 'properties'");
        return new Parsed(nodeFromJson(root, "root"), properties);
    }

    /* Keeps Gson's "at line L column C" and drops its advice to parse leniently. */
    private static String location(Exception e) {
        Matcher m = LOCATION.matcher(String.valueOf(e.getMessage()));
        return m.find() ? " (" + m.group() + ')' : "";
    }

    /* Gson and our tree walk recurse, so nesting is bounded before parsing. */
    private static void checkDepth(String json) throws MalformedModelException {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > JqFormat.MAX_JSON_DEPTH) {
                    throw new MalformedModelException(
                            "JSON graph nests deeper than " + JqFormat.MAX_JSON_DEPTH + " levels");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }

    private static JqNode nodeFromJson(JsonElement e, String path) throws MalformedModelException {
        if (!e.isJsonObject()) {
            throw new MalformedModelException("Node at " + path + " must be an object");
        }
        JsonObject o = e.getAsJsonObject();
        checkKeys(o, NODE_KEYS, "Node at " + path);
        String type = string(o.get("type"), "Node at " + path + ": 'type'");
        if (type.isEmpty()) {
            throw new MalformedModelException("Node at " + path + " has an empty type");
        }
        JsonElement nameElement = o.get("name");
        String name =
                nameElement == null ? "" : string(nameElement, "Node at " + path + ": 'name'");
        String where = "Node '" + name + "' (" + type + ") at " + path;
        JsonElement config = o.get("config");
        JsonObject configObject;
        if (config == null) {
            configObject = new JsonObject();
        } else if (config.isJsonObject()) {
            configObject = config.getAsJsonObject();
        } else {
            throw new MalformedModelException(where + ": 'config' must be an object");
        }
        JqNode node = new JqNode(type, name, configObject);
        for (Map.Entry<String, String> ref :
                stringMap(o.get("tensors"), where + ": 'tensors'").entrySet()) {
            if (ref.getKey().isEmpty() || ref.getValue().isEmpty()) {
                throw new MalformedModelException(where + ": empty tensor key or name");
            }
            node.putTensor(ref.getKey(), ref.getValue());
        }
        JsonElement children = o.get("children");
        if (children != null) {
            if (!children.isJsonArray()) {
                throw new MalformedModelException(where + ": 'children' must be an array");
            }
            JsonArray array = children.getAsJsonArray();
            for (int i = 0; i < array.size(); i++) {
                node.addChild(nodeFromJson(array.get(i), path + "/" + i));
            }
        }
        return node;
    }

    private static void checkKeys(JsonObject o, Set<String> allowed, String where)
            throws MalformedModelException {
        for (String key : o.keySet()) {
            if (!allowed.contains(key)) {
                throw new MalformedModelException(where + " has unknown field '" + key + "'");
            }
        }
    }

    private static String string(JsonElement e, String what) throws MalformedModelException {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new MalformedModelException(what + " must be a string");
        }
        return e.getAsString();
    }

    private static Map<String, String> stringMap(JsonElement e, String what)
            throws MalformedModelException {
        Map<String, String> out = new LinkedHashMap<>();
        if (e == null) {
            return out;
        }
        if (!e.isJsonObject()) {
            throw new MalformedModelException(what + " must be an object of strings");
        }
        for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
            out.put(entry.getKey(), string(entry.getValue(), what + " '" + entry.getKey() + "'"));
        }
        return out;
    }
}
