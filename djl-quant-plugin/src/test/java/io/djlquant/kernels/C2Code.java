package io.djlquant.kernels;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Tells whether a method of this JVM currently runs C2 code: tier-4 whole-method compilations (not
 * on-stack replacements) named in the JVM's own {@code -Xlog:jit+compilation=debug:file=...} log
 * that the code cache ({@code Compiler.codelist}) still holds in use. Only C2 turns Vector API
 * calls into vector instructions; the interpreter and C1 run the API's portable Java fallback, so a
 * SIMD check that never reaches C2 says nothing about NEON, SVE or AVX code generation.
 */
public final class C2Code {

    /**
     * {@code [uptime][debug][jit,compilation] id flags level Class::method [@ bci] (N bytes)...}.
     */
    private static final Pattern LOG_LINE =
            Pattern.compile(
                    "\\]\\s+(\\d+)\\s+([%sbn!* ]*?)\\s*(\\d)\\s+(\\S+)::(\\S+)(?: @ \\d+)? \\(");

    /** {@code id level state Class.method(signature) [addresses]}; state 0 means in use. */
    private static final Pattern CODELIST_LINE = Pattern.compile("^(\\d+) (\\d) (\\d) (\\S+?)\\(");

    private final Path log;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName diagnostics;

    /**
     * Uses the given JIT log.
     *
     * @param log the file named in this JVM's {@code -Xlog:jit+compilation=debug:file=...}
     */
    public C2Code(Path log) {
        this.log = log;
        try {
            diagnostics = new ObjectName("com.sun.management:type=DiagnosticCommand");
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Compile ids of the installed, in-use, whole-method C2 compilations of {@code cls::method}
     * (empty when it does not run C2 code). Equal sets before and after some work mean no C2 code
     * was discarded.
     */
    public Set<String> liveIds(Class<?> cls, String method) throws IOException {
        Set<String> ids = wholeMethodC2Ids(cls.getName(), method);
        Set<String> live = new TreeSet<>();
        if (ids.isEmpty()) {
            return live;
        }
        String prefix = cls.getName() + "." + method;
        for (String line : codelist().split("\n")) {
            Matcher m = CODELIST_LINE.matcher(line.trim());
            if (m.find()
                    && m.group(4).equals(prefix)
                    && m.group(2).equals("4")
                    && m.group(3).equals("0")
                    && ids.contains(m.group(1))) {
                live.add(m.group(1));
            }
        }
        return live;
    }

    /** The register-blocked pair kernel this JVM uses ({@code pairs4x2} or {@code pairs4x1}). */
    static String pairBlock() {
        return PanamaInt8Impl.WIDE_PAIR_BLOCK ? "pairs4x2" : "pairs4x1";
    }

    /**
     * The live C2 compile ids of the methods holding the SIMD loops ({@link
     * SimdWarmUp#VECTOR_METHODS}), e.g. {@code gemmDot[1780] gemmBroadcast[1670] gemmPairs[1702]
     * pairs4x2[1690]}.
     */
    public String simdIds() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String method : SimdWarmUp.VECTOR_METHODS) {
            sb.append(sb.length() == 0 ? "" : " ")
                    .append(method)
                    .append(liveIds(PanamaInt8Impl.class, method));
        }
        return sb.toString();
    }

    private Set<String> wholeMethodC2Ids(String cls, String method) throws IOException {
        if (!Files.exists(log)) {
            throw new IOException(
                    "JIT log "
                            + log
                            + " not found: start the JVM with -Xlog:jit+compilation=debug:file="
                            + log);
        }
        Set<String> ids = new HashSet<>();
        for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
            Matcher m = LOG_LINE.matcher(line);
            if (m.find()
                    && m.group(3).equals("4")
                    && !m.group(2).contains("%")
                    && m.group(4).equals(cls)
                    && m.group(5).equals(method)) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }

    private String codelist() {
        try {
            return (String)
                    server.invoke(
                            diagnostics,
                            "compilerCodelist",
                            new Object[] {null},
                            new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException(
                    "cannot list the code cache (Compiler.codelist): " + e, e);
        }
    }
}
