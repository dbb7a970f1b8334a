package io.djlquant.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.djlquant.kernels.KernelSelector.Choice;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Implementation selection: the pure decision logic, and real child JVMs with and without the
 * module.
 */
class KernelSelectorTest {

    @Test
    void defaultFollowsModulePresence() {
        assertEquals(Choice.SIMD, KernelSelector.choose(null, true));
        assertEquals(Choice.SCALAR, KernelSelector.choose(null, false));
        assertEquals(Choice.SIMD, KernelSelector.choose(" ", true));
    }

    @Test
    void propertyForcesChoice() {
        assertEquals(Choice.SCALAR, KernelSelector.choose("scalar", true));
        assertEquals(Choice.SCALAR, KernelSelector.choose("SCALAR", false));
        assertEquals(Choice.SIMD, KernelSelector.choose("Simd", true));
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class, () -> KernelSelector.choose("simd", false));
        assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
        IllegalArgumentException bad =
                assertThrows(
                        IllegalArgumentException.class, () -> KernelSelector.choose("avx", true));
        assertTrue(bad.getMessage().contains("'avx'"), bad.getMessage());
    }

    @Test
    void warnsOnlyWhenFallingBackSilently() {
        assertTrue(KernelSelector.shouldWarn(null, false));
        assertFalse(KernelSelector.shouldWarn(null, true));
        assertFalse(KernelSelector.shouldWarn("scalar", false));
    }

    @Test
    void thisJvmHasTheVectorModule() {
        // Surefire runs with --add-modules jdk.incubator.vector; without it the SIMD tests would be
        // void.
        assertTrue(
                KernelSelector.vectorModulePresent(),
                "tests must run with --add-modules jdk.incubator.vector");
        assertEquals("simd", KernelSelector.create(Choice.SIMD).name());
        assertEquals("scalar", KernelSelector.create(Choice.SCALAR).name());
    }

    @Test
    void childJvmWithoutModuleUsesScalarWarnsOnceAndNeverLoadsPanama() throws Exception {
        Result r = runProbe(List.of());
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("IMPL=scalar"), r.output);
        assertEquals(1, count(r.output, "--add-modules jdk.incubator.vector"), r.output);
        assertFalse(r.output.contains("PanamaInt8Impl"), "Panama class was loaded:\n" + r.output);
        assertTrue(r.output.contains("ScalarInt8Impl"), "class loading log missing:\n" + r.output);
    }

    @Test
    void childJvmForcedSimdWithoutModuleFailsClearly() throws Exception {
        Result r = runProbe(List.of("-Ddjlquant.kernels=simd"));
        assertTrue(r.exit != 0, r.output);
        assertTrue(
                r.output.contains(
                        "java.lang.IllegalStateException: -Ddjlquant.kernels=simd needs the Vector"
                                + " API"),
                r.output);
        assertTrue(r.output.contains("--add-modules jdk.incubator.vector"), r.output);
        assertFalse(r.output.contains("ExceptionInInitializerError"), r.output);
    }

    @Test
    void childJvmWithModuleUsesSimdWithoutWarning() throws Exception {
        Result r = runProbe(List.of("--add-modules", "jdk.incubator.vector"));
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("IMPL=simd"), r.output);
        assertFalse(r.output.contains("--add-modules jdk.incubator.vector to"), r.output);
        Result forced =
                runProbe(
                        List.of(
                                "--add-modules",
                                "jdk.incubator.vector",
                                "-Ddjlquant.kernels=scalar"));
        assertTrue(forced.output.contains("IMPL=scalar"), forced.output);
        assertFalse(forced.output.contains("PanamaInt8Impl"), forced.output);
    }

    private record Result(int exit, String output) {}

    private static Result runProbe(List<String> jvmArgs) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xshare:off");
        cmd.add("-Xlog:class+load=info");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(
                System.getProperty("java.class.path")
                        + File.pathSeparator
                        + new File("target/test-classes").getAbsolutePath());
        cmd.add(SelectorProbe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM timed out");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
