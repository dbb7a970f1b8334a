package io.djlquant.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host CPU as {@code /proc/cpuinfo} describes it: model name and the vector flags that decide
 * which int8 instructions the peers (oneDNN) and C2 can use. Every speed figure is reported with it
 * because these machines change host between sessions (Zen 3 AVX2, Zen 4 and Zen 5 AVX-512 VNNI).
 */
record HostCpu(String modelName, int logicalCpus, Set<String> flags) {

    /** The flags reported in the table: 512-bit VNNI, 256-bit VEX VNNI, AVX-512, AVX2. */
    static final List<String> VECTOR_FLAGS = List.of("avx512_vnni", "avx_vnni", "avx512f", "avx2");

    /**
     * Reads /proc/cpuinfo; on other systems the model is the JVM's os.arch and no flag is known.
     */
    static HostCpu read() {
        Path info = Path.of("/proc/cpuinfo");
        String model = System.getProperty("os.arch");
        Set<String> flags = new TreeSet<>();
        int cpus = 0;
        String family = null;
        String modelNumber = null;
        if (Files.isReadable(info)) {
            try {
                for (String line : Files.readAllLines(info)) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String key = line.substring(0, colon).trim();
                    String value = line.substring(colon + 1).trim();
                    if (key.equals("processor")) {
                        cpus++;
                    } else if (key.equals("model name") && cpus == 1) {
                        model = value;
                    } else if (key.equals("cpu family") && cpus == 1) {
                        family = value;
                    } else if (key.equals("model") && cpus == 1) {
                        modelNumber = value;
                    } else if ((key.equals("flags") || key.equals("Features")) && cpus == 1) {
                        flags.addAll(Arrays.asList(value.split("\\s+")));
                    }
                }
            } catch (IOException e) {
                model = model + " (/proc/cpuinfo unreadable: " + e.getMessage() + ")";
            }
        }
        if (family != null && modelNumber != null) {
            // "AMD EPYC" alone does not tell Zen 3, 4 and 5 apart; family 25 is Zen 3/4, 26 Zen 5.
            model = model + " (family " + family + ", model " + modelNumber + ")";
        }
        return new HostCpu(model, cpus, flags);
    }

    /** The {@link #VECTOR_FLAGS} this CPU has, in that order. */
    List<String> vectorFlags() {
        return VECTOR_FLAGS.stream().filter(flags::contains).toList();
    }

    /**
     * One line, e.g. "AMD EPYC (family 26, model 2): avx512_vnni avx_vnni avx512f avx2, 2 logical
     * CPUs".
     */
    String describe() {
        List<String> v = vectorFlags();
        return modelName
                + ": "
                + (v.isEmpty() ? "none of " + VECTOR_FLAGS : String.join(" ", v))
                + ", "
                + logicalCpus
                + " logical CPUs";
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("modelName", modelName);
        m.put("logicalCpus", logicalCpus);
        for (String f : VECTOR_FLAGS) {
            m.put(f, flags.contains(f));
        }
        return m;
    }
}
