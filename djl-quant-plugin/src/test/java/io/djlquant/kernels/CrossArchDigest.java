package io.djlquant.kernels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.IntVector;

/**
 * Cross-architecture check of the int8 kernels (used by {@code .ci/arm64-check}). Runs every {@link
 * DigestCases} case with the scalar and the SIMD implementation (1 and 2 threads), requires
 * identical bytes, and either writes one digest line per case ({@code write FILE}, on the reference
 * machine) or recomputes and compares them ({@code check FILE}, on the machine under test).
 *
 * <p>The cases run twice and both passes must give the same bytes: a cold pass (interpreter and C1,
 * i.e. the Vector API's portable Java fallback) and, with {@code --jit-log FILE} (the file the JVM
 * writes for {@code -Xlog:jit+compilation=debug:file=FILE}), a hot pass that starts only once C2
 * has compiled the SIMD products, so the real NEON/SVE/AVX instructions are what is compared.
 * {@code --expect-bits N} fails unless the preferred vector species has N bits, so a CPU-mode
 * mistake cannot pass unnoticed.
 *
 * <p>Exit status: 0 all equal, 1 any mismatch, 2 usage or file error.
 */
public final class CrossArchDigest {

    private static final String HEADER = "# djl-quant kernel digests v1";

    private CrossArchDigest() {}

    /** Entry point: {@code write|check FILE [--jit-log FILE] [--expect-bits N]}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2 || !(args[0].equals("write") || args[0].equals("check"))) {
            usage("expected write|check FILE");
        }
        Path jitLog = null;
        int expectBits = 0;
        for (int i = 2; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage("missing value after " + args[i]);
            }
            switch (args[i]) {
                case "--jit-log" -> jitLog = Path.of(args[i + 1]);
                case "--expect-bits" -> expectBits = Integer.parseInt(args[i + 1]);
                default -> usage("unknown option " + args[i]);
            }
        }
        System.exit(run(args[0], Path.of(args[1]), jitLog, expectBits) ? 0 : 1);
    }

    /**
     * Runs the check and prints its findings.
     *
     * @param mode {@code write} (reference machine) or {@code check} (machine under test)
     * @param file the digest file written or compared
     * @param jitLog this JVM's {@code -Xlog:jit+compilation=debug:file=...} log, or null for no hot
     *     pass
     * @param expectBits required preferred vector size in bits, or 0 for any
     * @return true when everything matched
     */
    public static boolean run(String mode, Path file, Path jitLog, int expectBits)
            throws IOException {
        long start = System.nanoTime();
        String platform = platform();
        System.out.println("platform: " + platform);
        int bits = IntVector.SPECIES_PREFERRED.vectorBitSize();
        if (expectBits != 0 && bits != expectBits) {
            System.out.println(
                    "FAIL: preferred vector species is " + bits + " bits, expected " + expectBits);
            return false;
        }
        List<DigestCase> cases = DigestCases.all();
        List<String> failures = new ArrayList<>();
        Map<String, String> digests = run(cases, "cold", null, failures);
        String hot = "no hot pass (no --jit-log)";
        if (jitLog != null) {
            hot = hotPass(cases, new C2Code(jitLog), digests, failures);
        }
        System.out.println(hot);
        if (mode.equals("write")) {
            List<String> lines = new ArrayList<>();
            lines.add(HEADER);
            lines.add("# written on " + platform);
            for (DigestCase c : cases) {
                lines.add(
                        c.name()
                                + " "
                                + c.inputDigest()
                                + " "
                                + digests.get(c.name())
                                + " "
                                + c.description());
            }
            Files.write(file, lines, StandardCharsets.UTF_8);
        } else {
            compare(cases, digests, file, failures);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<ConvKernel.Strategy, Integer> strategies = strategies(cases);
        System.out.printf(
                "%s: %d cases x 3 variants (scalar, simd, simd 2 threads), conv strategies %s, %.1f"
                        + " s%n",
                mode, cases.size(), strategies, seconds);
        if (strategies.size() != ConvKernel.Strategy.values().length) {
            failures.add("not every conv strategy is covered: " + strategies);
        }
        if (failures.isEmpty()) {
            System.out.println(
                    "OK: all outputs identical" + (mode.equals("check") ? " to " + file : ""));
            return true;
        }
        failures.forEach(f -> System.out.println("MISMATCH " + f));
        System.out.println("FAIL: " + failures.size() + " mismatch(es)");
        return false;
    }

    private static String platform() {
        return "os.arch="
                + System.getProperty("os.arch")
                + " java="
                + System.getProperty("java.vm.version")
                + " species="
                + IntVector.SPECIES_PREFERRED
                + " byteOrder="
                + java.nio.ByteOrder.nativeOrder()
                + " cpus="
                + Runtime.getRuntime().availableProcessors();
    }

    /**
     * Hot pass: warm up until C2 runs both SIMD products, rerun every case, and require that C2
     * code was not discarded meanwhile (else part of the pass fell back to the interpreter: warm up
     * and retry).
     */
    private static String hotPass(
            List<DigestCase> cases, C2Code c2, Map<String, String> cold, List<String> failures)
            throws IOException {
        for (int attempt = 1; attempt <= 3; attempt++) {
            // C2 compiling SVE code under QEMU took over 300 s once when the machine was loaded;
            // the
            // per-JVM limit in .ci/arm64-check (ARM64_TIMEOUT, 1200 s) still bounds the wait.
            double warm = SimdWarmUp.untilCompiled(c2, 900);
            String before = c2.simdIds();
            run(cases, "hot", cold, failures);
            String after = c2.simdIds();
            if (before.equals(after)) {
                return String.format(
                        "hot pass: C2 compiled the SIMD products after %.1f s of warm-up (attempt"
                                + " %d) and ran the whole pass with that code (compile ids %s)",
                        warm, attempt, after);
            }
            System.out.println(
                    "note: C2 code was discarded during hot pass "
                            + attempt
                            + " (deoptimized); again");
        }
        failures.add(
                "C2 code of the SIMD products kept being discarded; the hot pass never ran"
                        + " compiled");
        return "hot pass: incomplete";
    }

    /**
     * Runs every case with scalar (1 thread) and SIMD (1 and 2 threads), records disagreements and,
     * when {@code earlier} is given, differences from it; returns the digest per case.
     */
    private static Map<String, String> run(
            List<DigestCase> cases,
            String pass,
            Map<String, String> earlier,
            List<String> failures) {
        Map<String, String> digests = new LinkedHashMap<>();
        int saved = Int8Kernels.getThreads();
        try {
            for (DigestCase c : cases) {
                byte[] scalar;
                byte[] simd;
                byte[] simd2;
                try {
                    Int8Kernels.setThreads(1);
                    scalar = c.compute().apply(TestData.SCALAR);
                    simd = c.compute().apply(TestData.SIMD);
                    Int8Kernels.setThreads(2);
                    simd2 = c.compute().apply(TestData.SIMD);
                } catch (RuntimeException e) {
                    // A width-dependent indexing bug shows up as an exception on one machine only.
                    failures.add(
                            c.name() + " " + pass + " pass threw " + e + " " + c.description());
                    digests.put(c.name(), "threw");
                    continue;
                }
                if (!Arrays.equals(scalar, simd) || !Arrays.equals(scalar, simd2)) {
                    failures.add(
                            c.name()
                                    + " "
                                    + pass
                                    + " pass: scalar and simd differ ("
                                    + firstDifference(scalar, simd, simd2)
                                    + ") "
                                    + c.description());
                }
                String d = DigestCase.digest(scalar);
                digests.put(c.name(), d);
                if (earlier != null && !d.equals(earlier.get(c.name()))) {
                    failures.add(
                            c.name()
                                    + " "
                                    + pass
                                    + " pass differs from the cold pass "
                                    + c.description());
                }
            }
        } finally {
            Int8Kernels.setThreads(saved);
        }
        return digests;
    }

    private static String firstDifference(byte[] scalar, byte[] simd, byte[] simd2) {
        for (byte[] other : new byte[][] {simd, simd2}) {
            if (other.length != scalar.length) {
                return "lengths " + scalar.length + " vs " + other.length;
            }
            for (int i = 0; i < scalar.length; i++) {
                if (scalar[i] != other[i]) {
                    return "byte "
                            + i
                            + ": scalar "
                            + scalar[i]
                            + ", simd "
                            + other[i]
                            + (other == simd ? " (1 thread)" : " (2 threads)");
                }
            }
        }
        return "none";
    }

    private static void compare(
            List<DigestCase> cases, Map<String, String> digests, Path file, List<String> failures)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            usage(
                    "reference digest file "
                            + file
                            + " does not exist (run 'write' on the reference machine first)");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            usage(file + " is not a digest file (first line must be '" + HEADER + "')");
        }
        System.out.println("reference " + lines.get(1).substring(2));
        Map<String, String[]> expected = new LinkedHashMap<>();
        for (String line : lines.subList(2, lines.size())) {
            String[] f = line.split(" ", 4);
            expected.put(f[0], f);
        }
        for (DigestCase c : cases) {
            String[] e = expected.remove(c.name());
            if (e == null) {
                failures.add(c.name() + ": missing from " + file);
            } else if (!e[1].equals(c.inputDigest())) {
                failures.add(
                        c.name()
                                + ": INPUTS differ (test data generation is not portable) "
                                + c.description());
            } else if (!e[2].equals(digests.get(c.name()))) {
                failures.add(
                        c.name()
                                + ": output differs from the reference machine "
                                + c.description());
            }
        }
        expected.keySet()
                .forEach(name -> failures.add(name + ": in " + file + " but not computed here"));
    }

    private static Map<ConvKernel.Strategy, Integer> strategies(List<DigestCase> cases) {
        Map<ConvKernel.Strategy, Integer> seen = new EnumMap<>(ConvKernel.Strategy.class);
        for (DigestCase c : cases) {
            for (ConvKernel.Strategy s : ConvKernel.Strategy.values()) {
                if (c.description().endsWith("strategy=" + s)) {
                    seen.merge(s, 1, Integer::sum);
                }
            }
        }
        return seen;
    }

    private static void usage(String problem) {
        System.out.println("CrossArchDigest: " + problem);
        System.out.println(
                "usage: CrossArchDigest write|check FILE [--jit-log FILE] [--expect-bits N]");
        System.exit(2);
    }
}
