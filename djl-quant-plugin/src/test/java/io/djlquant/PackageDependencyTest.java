package io.djlquant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package graph of {@code io.djlquant} acyclic and layered, from the sources: every
 * package (a subpackage is a package of its own) depends on the {@code io.djlquant} packages its
 * files name in code, through imports, static imports or fully qualified names. Comments and string
 * literals do not count, so a javadoc link to a higher layer is allowed.
 */
class PackageDependencyTest {

    private static final Path SOURCES = Path.of("src", "main", "java");

    private static final String CONVERT = "io.djlquant.quantization.convert";

    /** A qualified reference: the lower-case package part before a class name (or a star). */
    private static final Pattern QUALIFIED =
            Pattern.compile("\\b(io\\.djlquant(?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;");

    /** package -> the io.djlquant packages it depends on. */
    private static Map<String, Set<String>> graph;

    /** "from -> to" -> the first file that makes the edge, for the failure messages. */
    private static Map<String, String> witnesses;

    @BeforeAll
    static void readSources() throws IOException {
        assertTrue(
                Files.isDirectory(SOURCES.resolve("io/djlquant")),
                "run from the module directory: " + SOURCES.toAbsolutePath() + " not found");
        graph = new TreeMap<>();
        witnesses = new HashMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(f -> read(f));
        }
    }

    private static void read(Path file) {
        String code;
        try {
            code = codeOnly(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher p = PACKAGE.matcher(code);
        if (!p.find()) {
            fail(file + " has no package declaration");
        }
        String from = p.group(1);
        Set<String> deps = graph.computeIfAbsent(from, k -> new TreeSet<>());
        Matcher m = QUALIFIED.matcher(code);
        while (m.find()) {
            String to = m.group(1);
            if (!to.equals(from) && deps.add(to)) {
                witnesses.put(from + " -> " + to, SOURCES.relativize(file).toString());
            }
        }
    }

    /**
     * Returns the source with comments, string and character literals (text blocks included)
     * replaced by spaces, so only code is searched. Line breaks are kept for {@code ^} anchors.
     */
    static String codeOnly(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            char next = i + 1 < n ? src.charAt(i + 1) : '\0';
            int end;
            if (c == '/' && next == '/') {
                end = src.indexOf('\n', i);
                end = end < 0 ? n : end;
            } else if (c == '/' && next == '*') {
                end = src.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                end = src.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
            } else if (c == '"' || c == '\'') {
                end = i + 1;
                while (end < n && src.charAt(end) != c && src.charAt(end) != '\n') {
                    end += src.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, n);
            } else {
                out.append(c);
                i++;
                continue;
            }
            for (int k = i; k < end; k++) {
                out.append(src.charAt(k) == '\n' ? '\n' : ' ');
            }
            i = end;
        }
        return out.toString();
    }

    @Test
    void packageGraphHasNoCycle() {
        List<Set<String>> components = tangles(graph);
        if (!components.isEmpty()) {
            StringBuilder sb = new StringBuilder("package cycles in io.djlquant:");
            for (Set<String> component : components) {
                List<String> cycle = cycleIn(graph, component);
                sb.append("\n  ").append(String.join(" -> ", cycle));
                sb.append("\n    (packages on cycles with it: ").append(component).append(')');
                for (int k = 0; k + 1 < cycle.size(); k++) {
                    String edge = cycle.get(k) + " -> " + cycle.get(k + 1);
                    sb.append("\n    ").append(edge).append(" (").append(witnesses.get(edge));
                    sb.append(')');
                }
            }
            fail(sb.toString());
        }
    }

    @Test
    void lowLevelPackagesDependOnNoOtherPackage() {
        // the kernels, the file format, the float blocks and the quantization parameters are the
        // bottom layer: everything else builds on them
        for (String p :
                List.of(
                        "io.djlquant.kernels",
                        "io.djlquant.format",
                        "io.djlquant.nn",
                        "io.djlquant.quantization.qparams")) {
            assertEquals(Set.of(), dependencies(p), p + " must not depend on io.djlquant packages");
        }
    }

    @Test
    void qatDoesNotKnowTheInt8Blocks() {
        // the int8 blocks convert from their QAT counterparts (fromQat), never the other way
        for (String to : dependencies("io.djlquant.qat")) {
            assertTrue(
                    !to.startsWith("io.djlquant.quantized"),
                    "io.djlquant.qat depends on " + to + witness("io.djlquant.qat", to));
        }
    }

    @Test
    void onlyTheTopLayersUseTheConversionPackage() {
        // the conversion package sits above the blocks, observers and fake quants it converts
        Set<String> users = new TreeSet<>();
        for (Map.Entry<String, Set<String>> e : graph.entrySet()) {
            if (e.getValue().contains(CONVERT)) {
                users.add(e.getKey());
            }
        }
        Set<String> allowed = Set.of("io.djlquant.imports");
        for (String user : users) {
            assertTrue(
                    allowed.contains(user),
                    user + " depends on " + CONVERT + witness(user, CONVERT));
        }
        for (String core :
                List.of(
                        "io.djlquant.quantization",
                        "io.djlquant.quantization.observer",
                        "io.djlquant.quantization.fakequant")) {
            for (String to : dependencies(core)) {
                assertTrue(
                        to.startsWith("io.djlquant.quantization."),
                        core + " depends on " + to + witness(core, to));
            }
        }
    }

    @Test
    void findsACycle() {
        // the check itself can fail: a three-package cycle behind an acyclic edge
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("d"));
        g.put("d", Set.of("b"));
        assertEquals(List.of(List.of("b", "c", "d", "b")), cycles(g));
        assertEquals(List.of(), cycles(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of())));
    }

    @Test
    void ignoresCommentsAndStrings() {
        String src =
                "package x;\n/** {@link io.djlquant.a.B} */ // io.djlquant.c.D\n"
                        + "String s = \"io.djlquant.e.F\"; io.djlquant.g.H h;";
        Matcher m = QUALIFIED.matcher(codeOnly(src));
        assertTrue(m.find());
        assertEquals("io.djlquant.g", m.group(1));
        assertTrue(!m.find());
    }

    private static Set<String> dependencies(String p) {
        assertTrue(graph.containsKey(p), p + " not found in " + SOURCES);
        return graph.get(p);
    }

    private static String witness(String from, String to) {
        return " (" + witnesses.get(from + " -> " + to) + ")";
    }

    /**
     * Finds one cycle in every strongly connected component of more than one package, each as a
     * path that starts and ends at the component's smallest package.
     */
    static List<List<String>> cycles(Map<String, Set<String>> g) {
        List<List<String>> found = new ArrayList<>();
        for (Set<String> component : tangles(g)) {
            found.add(cycleIn(g, component));
        }
        return found;
    }

    /**
     * Returns the strongly connected components of more than one package (Tarjan's algorithm,
     * iterative), sorted by their smallest package.
     */
    static List<Set<String>> tangles(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> found = new ArrayList<>();
        for (String root : new TreeSet<>(g.keySet())) {
            if (index.containsKey(root)) {
                continue;
            }
            // frames of the depth-first search: a node and the iterator state over its targets
            Deque<Object[]> frames = new ArrayDeque<>();
            frames.push(new Object[] {root, new ArrayList<>(targets(g, root)), 0});
            index.put(root, index.size());
            low.put(root, index.get(root));
            stack.push(root);
            onStack.add(root);
            while (!frames.isEmpty()) {
                Object[] f = frames.peek();
                String v = (String) f[0];
                @SuppressWarnings("unchecked")
                List<String> ts = (List<String>) f[1];
                int k = (Integer) f[2];
                if (k < ts.size()) {
                    f[2] = k + 1;
                    String w = ts.get(k);
                    if (!index.containsKey(w)) {
                        index.put(w, index.size());
                        low.put(w, index.get(w));
                        stack.push(w);
                        onStack.add(w);
                        frames.push(new Object[] {w, new ArrayList<>(targets(g, w)), 0});
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                frames.pop();
                if (!frames.isEmpty()) {
                    String parent = (String) frames.peek()[0];
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    Set<String> component = new TreeSet<>();
                    String w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        component.add(w);
                    } while (!w.equals(v));
                    if (component.size() > 1) {
                        found.add(component);
                    }
                }
            }
        }
        found.sort((a, b) -> a.iterator().next().compareTo(b.iterator().next()));
        return found;
    }

    private static Set<String> targets(Map<String, Set<String>> g, String v) {
        return new TreeSet<>(g.getOrDefault(v, Set.of()));
    }

    /** A shortest cycle through the smallest package of a strongly connected component. */
    private static List<String> cycleIn(Map<String, Set<String>> g, Set<String> component) {
        String start = component.iterator().next();
        Map<String, String> previous = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            for (String w : targets(g, v)) {
                if (w.equals(start)) {
                    List<String> path = new ArrayList<>(List.of(start));
                    for (String u = v; !u.equals(start); u = previous.get(u)) {
                        path.add(1, u);
                    }
                    path.add(start);
                    return path;
                }
                if (component.contains(w) && !previous.containsKey(w)) {
                    previous.put(w, v);
                    queue.add(w);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start);
    }
}
